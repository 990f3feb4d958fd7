dofile("bench/wrk/common.lua")
wrk.method = "GET"
wrk.path = "/api/rooms/" .. large_room
wrk.headers["Authorization"] = "Bearer " .. token
local name = os.getenv("BENCH_NAME")
if name == nil or name == "" then name = "board_large" end
done = result(name)
