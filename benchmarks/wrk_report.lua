-- Shared by the load test's wrk scripts (deadline.lua, dashboards.lua): a monotonic clock, one
-- record per request by type, and done(), which prints one line per request type for
-- load_deadline.py: "LOAD <type> <count> <errors> <p50 ms> <p95 ms> <p99 ms>".
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec_t;
  int clock_gettime(int clock_id, timespec_t *tp);
]]
local clock = ffi.new("timespec_t")
local report = {}

function report.now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- Each thread keeps one "type|milliseconds|ok" string per request in its global `measured`:
-- done() reads it with thread:get(), which copies flat tables only (wrk 4.1 crashes on nested ones).
function report.record(kind, started_ms, ok)
  measured = measured or {}
  measured[#measured + 1] = string.format("%s|%.3f|%d", kind, report.now_ms() - started_ms, ok and 1 or 0)
end

local told = 0

-- The first few failures of each thread are printed (with what the server said), not thousands.
function report.should_tell()
  told = told + 1
  return told <= 3
end

local threads = {}

function report.setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

function report.done(summary, latency, requests)
  local values, failed = {}, {}
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("measured") or {}) do
      local kind, ms, ok = line:match("^(.*)|([%d.]+)|(%d)$")
      values[kind] = values[kind] or {}
      failed[kind] = (failed[kind] or 0) + (ok == "1" and 0 or 1)
      table.insert(values[kind], tonumber(ms))
    end
  end
  local e = summary.errors
  io.write(string.format("LOADRUN\t%d\t%d\n", summary.duration, e.connect + e.read + e.write + e.timeout))
  for kind, list in pairs(values) do
    table.sort(list)
    io.write(string.format("LOAD\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\n", kind, #list, failed[kind],
      percentile(list, 50), percentile(list, 95), percentile(list, 99)))
  end
end

return report
