-- wrk script: department heads and HR reading their dashboards while employees answer (driven by
-- load_deadline.py). Each thread is one person: the first threads are HR admins (the results page
-- and the open cycle's live participation), the others heads (their scorecard). done() prints one
-- line per request type, like deadline.lua.
--
-- Usage: wrk -t N -c N -d 60s -s dashboards.lua <url> -- <people file> <think ms> <HR threads>
-- People file: "hr <session> <open cycle> <past cycle>" then "head <session> <department code>" lines.

package.path = "benchmarks/?.lua;" .. package.path
local report = require("wrk_report")
setup, done = report.setup, report.done

local think, role, session, cycle, past, department
local pending_kind, sent_at, started

function init(args)
  think = tonumber(args[2])
  local hr_threads = tonumber(args[3])
  math.randomseed(index * 104729 + os.time())
  local heads = {}
  for line in io.lines(args[1]) do
    local kind, a, b, c = line:match("^(%S+) (%S+) (%S+) ?(%S*)$")
    if kind == "hr" and index <= hr_threads then
      role, session, cycle, past = "hr", a, b, c
    elseif kind == "head" then
      table.insert(heads, { session = a, code = b })
    end
  end
  if role ~= "hr" then
    local head = heads[(index - hr_threads - 1) % #heads + 1]
    role, session, department = "head", head.session, head.code
  end
end

function delay()
  running = true -- wrk calls request() once before the run to check the script (without delay() first)
  if not started then started = true; return math.random(0, think) end
  return math.floor(think * (0.5 + math.random()))
end

function request()
  if not running then return wrk.format("GET", "/healthz") end -- wrk's check of the script, not sent
  if pending_kind then report.record(pending_kind, sent_at, false) end -- no response: a timeout
  local path
  if role == "head" then
    pending_kind, path = "head: scorecard", "/scorecards/" .. department .. "/"
  elseif math.random() < 0.6 then
    pending_kind, path = "hr: live participation", "/hr/cycles/" .. cycle .. "/?partial=participation"
  else
    pending_kind, path = "hr: results (200 departments)", "/hr/results/?cycle=" .. past .. "&cols=" .. math.random(1, 8)
  end
  sent_at = report.now_ms()
  return wrk.format("GET", path, { Cookie = "sessionid=" .. session })
end

function response(status, headers, body)
  if not pending_kind then return end
  report.record(pending_kind, sent_at, status == 200)
  if status ~= 200 and report.should_tell() then io.stderr:write(string.format("failed: %s answered %d\n", pending_kind, status)) end
  pending_kind = nil
end
