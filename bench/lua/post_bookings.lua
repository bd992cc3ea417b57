-- POST distinct bookings: $BENCH_SLOTS holds "instrument<TAB>start<TAB>end" lines, thread t
-- of n takes lines t+1, t+1+n, … so no two requests ask for the same slot; each request
-- signs with the next token of $BENCH_TOKENS ("token<TAB>firm" lines, or
-- "token<TAB>firm<TAB>voucher" to pay with that voucher).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done

function init(args)
  slots = common.lines(os.getenv("BENCH_SLOTS"))
  tokens = common.lines(os.getenv("BENCH_TOKENS"))
  nthreads = tonumber(os.getenv("BENCH_THREADS"))
  path = os.getenv("BENCH_PATH")
  cursor = thread_id + 1
  turn = thread_id
  status_counts = {}
end

function request()
  local slot = common.split(slots[(cursor - 1) % #slots + 1])
  cursor = cursor + nthreads
  turn = turn + 1
  local auth = common.split(tokens[turn % #tokens + 1])
  local vouchers = ""
  if auth[3] then vouchers = string.format(', "vouchers": [%s]', auth[3]) end
  local body = string.format(
    '{"instrument": %s, "start": "%s", "end": "%s", "purpose": "bench load", "firm": %s%s}',
    slot[1], slot[2], slot[3], auth[2], vouchers)
  local headers = {
    ["Authorization"] = "Token " .. auth[1],
    ["Content-Type"] = "application/json",
  }
  return wrk.format("POST", path, headers, body)
end

function response(status)
  status_counts[status] = (status_counts[status] or 0) + 1
end
