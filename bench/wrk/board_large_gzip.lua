dofile("bench/wrk/common.lua")
wrk.method = "GET"
wrk.path = "/api/rooms/" .. large_room
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept-Encoding"] = "gzip"
done = result("board_large_gzip")
