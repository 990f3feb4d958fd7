-- A mix of card moves: a random card to a random position of a random
-- column of the board (across and within columns).
dofile("bench/wrk/common.lua")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local card = cards[math.random(#cards)]
  local col = columns[math.random(#columns)]
  local body = string.format('{"column_id":"%s","position":%d}', col, math.random(0, 60))
  return wrk.format("POST", "/api/cards/" .. card .. "/move",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
done = result("moves")
