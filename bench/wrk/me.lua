dofile("bench/wrk/common.lua")
wrk.method = "GET"
wrk.path = "/api/auth/me"
wrk.headers["Authorization"] = "Bearer " .. token
done = result("me")
