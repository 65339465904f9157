-- wrk script: POST …/events as the task force (DeadlineSet), spread over the
-- 29 tasks so writers contend per stream as real traffic would. The token
-- comes from the environment (KUIMEN_TOKEN).
local token = os.getenv("KUIMEN_TOKEN")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = 0
  math.randomseed(id * 7919 + 17)  -- seeded: the same spread every run
end

function request()
  requests = requests + 1
  local task = math.random(1, 29)
  -- The wrk thread's id in the name: two threads naming the same milestone of
  -- a task would make the second an adjustment, refused (400) without a reason.
  local body = '{"type":"DeadlineSet","data":{"due":"2024-12-31","milestone":"年度目标 ' .. id .. '-' .. requests .. '"}}'
  return wrk.format("POST", "/api/v1/tasks/" .. task .. "/events",
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

statuses = {}  -- per thread; global so done() can read it through thread:get
refusals = {}  -- per thread: "503 views_behind Retry-After=1" -> count
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 then
    -- Keep what the body and headers say, not only the status: the error's
    -- stable code and Retry-After (gateway/error_codes.cc).
    local code = string.match(body or "", '"code":"([^"]*)"') or "?"
    local retry = headers["Retry-After"] or headers["retry-after"] or "-"
    local key = status .. " " .. code .. " Retry-After=" .. retry
    refusals[key] = (refusals[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d requests, %.0f/s; errors: %d non-2xx\n",
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
                         summary.requests, summary.requests / (summary.duration / 1e6),
                         summary.errors.status))
  -- Every status seen, summed over the threads: "statuses: 201=1000 503=20".
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do total[status] = (total[status] or 0) + n end
  end
  local keys = {}
  for status in pairs(total) do table.insert(keys, status) end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do table.insert(parts, status .. "=" .. total[status]) end
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
  -- Each refusal by status, code and Retry-After: "refused: 503 views_behind Retry-After=1 x128".
  local refused = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("refusals") or {}) do refused[key] = (refused[key] or 0) + n end
  end
  local rkeys = {}
  for key in pairs(refused) do table.insert(rkeys, key) end
  table.sort(rkeys)
  for _, key in ipairs(rkeys) do io.write("refused: " .. key .. " x" .. refused[key] .. "\n") end
end
