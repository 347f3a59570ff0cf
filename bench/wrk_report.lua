-- wrk script of bench/http_load.py: counts every answer that is not 2xx (wrk itself counts only
-- status > 399, so a redirect to the login page would pass unseen) and prints one JSON line when the
-- run is done: latency percentiles in ms, requests/s, non-2xx answers by status, socket errors.
-- Headers (a session cookie, Accept-Encoding) come from wrk's own -H options.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  statuses = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad, by_status = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local listed = {}
  for status, count in pairs(by_status) do
    table.insert(listed, string.format('"%s": %d', status, count))
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "bytes": %d, "non2xx": %d, "statuses": {%s}, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests,
    seconds,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.bytes,
    bad,
    table.concat(listed, ", "),
    errors.connect + errors.read + errors.write,
    errors.timeout
  ))
end
