-- GET a list of paths (one per line in $BENCH_PATHS) round-robin, each thread from its own
-- offset, with the API token in $BENCH_TOKEN.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done

function init(args)
  paths = common.lines(os.getenv("BENCH_PATHS"))
  index = (thread_id * 7919) % #paths
  status_counts = {}
  headers = { ["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN") }
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], headers)
end

function response(status)
  status_counts[status] = (status_counts[status] or 0) + 1
end
