dofile("bench/wrk/common.lua")
wrk.method = "GET"
wrk.path = "/api/rooms/" .. room
wrk.headers["Authorization"] = "Bearer " .. token
local name = os.getenv("BENCH_NAME")
if name == nil or name == "" then name = "board" end
done = result(name)
