-- Successful logins, round robin over the seeded users.
dofile("bench/wrk/common.lua")
local i = 0
request = function()
  i = i + 1
  local body = string.format('{"email":"%s","password":"%s"}', emails[(i % #emails) + 1], password)
  return wrk.format("POST", "/api/auth/login", {["Content-Type"] = "application/json"}, body)
end
local name = os.getenv("BENCH_NAME")
if name == nil or name == "" then name = "logins" end
done = result(name)
