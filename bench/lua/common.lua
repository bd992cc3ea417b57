-- Shared by the bench's wrk scripts: read a data file, count statuses per thread, and print
-- one JSON line the Python side parses (wrk's own summary has no p95).
local M = {}

function M.lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

function M.split(line)
  local parts = {}
  for field in string.gmatch(line, "([^\t]+)") do parts[#parts + 1] = field end
  return parts
end

local threads = {}

function M.setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function M.done(summary, latency)
  local statuses = {}
  for _, t in ipairs(threads) do
    local counts = t:get("status_counts")
    for code, n in pairs(counts or {}) do
      statuses[tostring(code)] = (statuses[tostring(code)] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(statuses) do parts[#parts + 1] = string.format('"%s": %d', code, n) end
  io.write(string.format(
    'BENCHJSON {"requests": %d, "seconds": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, '
      .. '"max": %.3f, "errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end

return M
