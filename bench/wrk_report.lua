-- Prints one JSON line after a wrk run: latency percentiles (ms), requests/s, errors and non-2xx.
-- Used by bench/http_load.py; an optional header comes from the KENES_COOKIE environment variable.
local cookie = os.getenv("KENES_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, ' ..
    '"non2xx": %d, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.status,
    errors.connect + errors.read + errors.write,
    errors.timeout
  ))
end
