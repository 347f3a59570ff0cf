-- wrk script of bench/supports_load.py: residents support proposals through the API, each
-- (proposal, token) pair of the pairs file used once.
--
--   wrk -tN -c64 -d<seconds + drain>s -s bench/wrk_supports.lua URL -- PAIRS_FILE SECONDS N
--
-- PAIRS_FILE has one "proposal_id token" per line. Thread k of N takes lines k+1, k+1+N, ... and
-- posts them in order until SECONDS have passed since it started; after that (or when its lines
-- run out) each connection asks the trivial view /-/ping once every FILLER_MS instead, so the
-- supports still in flight are answered and counted before wrk stops (wrk drops the requests in
-- flight when its -d ends, which would make the exact count against the database impossible).
-- done() prints one JSON line: the supports sent and answered, their 2xx and other answers by
-- status, and the time from the first support sent to the last support answered (CLOCK_MONOTONIC
-- through LuaJIT's ffi). wrk's own latency histogram mixes in the fillers, so it is not reported.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } kenes_timespec;
  int clock_gettime(int clock_id, kenes_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("kenes_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  -- setup() ran in another Lua state, so the number of threads comes as an argument.
  local path, seconds, total = args[1], tonumber(args[2]), tonumber(args[3])
  requests = {}
  local line_number = 0
  for line in io.lines(path) do
    if line_number % total == index then
      local proposal, token = line:match("^(%d+) (%S+)$")
      table.insert(requests, wrk.format("POST", "/api/v1/proposals/" .. proposal .. "/support", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Content-Length"] = "2",
      }, "{}"))
    end
    line_number = line_number + 1
  end
  ping = wrk.format("GET", "/-/ping")
  next_request = 1
  sent, answered, accepted = 0, 0, 0
  statuses = {}
  first_sent, last_answered = 0, 0
  ran_out = 0
  deadline = now() + seconds
  -- wrk calls request() once in the first thread before any connection opens (to count pipelined
  -- requests): that call must not use up a pair, or one support would be counted as sent and never be.
  verifying = (index == 0)
end

local FILLER_MS = 1000

local function supporting()
  return next_request <= #requests and now() < deadline
end

function delay()
  if supporting() then
    return 0
  end
  return FILLER_MS
end

function request()
  if verifying then
    verifying = false
    return ping
  end
  if supporting() then
    local chosen = requests[next_request]
    next_request = next_request + 1
    if sent == 0 then
      first_sent = now()
    end
    sent = sent + 1
    return chosen
  end
  if next_request > #requests then
    ran_out = 1
  end
  return ping
end

function response(status, headers, body)
  if body == "ok" then
    return -- the trivial view, asked once this thread's supports are done
  end
  answered = answered + 1
  last_answered = now()
  if status >= 200 and status <= 299 then
    accepted = accepted + 1
  else
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests_stats)
  local sent_all, answered_all, accepted_all, ran_out_all = 0, 0, 0, 0
  local first, last = nil, 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    sent_all = sent_all + thread:get("sent")
    answered_all = answered_all + thread:get("answered")
    accepted_all = accepted_all + thread:get("accepted")
    ran_out_all = ran_out_all + thread:get("ran_out")
    local started = thread:get("first_sent")
    if started > 0 and (first == nil or started < first) then
      first = started
    end
    if thread:get("last_answered") > last then
      last = thread:get("last_answered")
    end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local sent_per_thread = {}
  for _, thread in ipairs(threads) do
    table.insert(sent_per_thread, string.format("%d", thread:get("sent")))
  end
  local listed = {}
  for status, count in pairs(by_status) do
    table.insert(listed, string.format('"%s": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    '{"sent": %d, "answered": %d, "accepted": %d, "statuses": {%s}, "seconds": %.4f, ' ..
    '"sent_per_thread": [%s], "ran_out": %d, "socket_errors": %d, "timeouts": %d}\n',
    sent_all,
    answered_all,
    accepted_all,
    table.concat(listed, ", "),
    (first ~= nil and last > first) and (last - first) or 0,
    table.concat(sent_per_thread, ", "),
    ran_out_all,
    errors.connect + errors.read + errors.write,
    errors.timeout
  ))
end
