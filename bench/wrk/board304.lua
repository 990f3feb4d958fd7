dofile("bench/wrk/common.lua")
wrk.method = "GET"
wrk.path = "/api/rooms/" .. room
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["If-None-Match"] = etag
done = result("board_304")
