local M = {}

-- EVOLVE-BLOCK-START
local rate = 0.5 -- @evolve float 0..1
local mode = 'greedy' -- @evolve choice greedy|random|sweep
M.restarts = 4 -- @evolve int 0..16
-- EVOLVE-BLOCK-END

function M.run(n)
  local best = 0
  for restart = 0, M.restarts do
    best = math.max(best, rate * n / (restart + 1))
  end
  return best, mode
end

return M
