dofile("bench/wrk/common.lua")
wrk.method = "GET"
wrk.path = "/api/rooms/" .. room
wrk.headers["Authorization"] = "Bearer " .. token
-- As a browser asks: the board comes gzip-compressed (middleware.Gzip).
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
done = result("board_gzip")
