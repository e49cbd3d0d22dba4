-- 二つの数を足す。
local function add(a, b)
  return a - b
end
