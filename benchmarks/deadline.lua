-- wrk script: employees in the last hour before a survey deadline (driven by load_deadline.py).
--
-- Each wrk thread holds one connection and plays one employee after another, as a browser with the
-- survey page's script would: open My surveys, open the cycle's survey page (and read the CSRF
-- token from it), then for each department to rate sometimes save a draft first, and submit.
-- Between requests it waits a "think time". It records each request's latency by type and checks
-- every answer (status, and for the forms that the server accepted the answer); done() prints one
-- line per request type for load_deadline.py to read.
--
-- Usage: wrk -t N -c N -d 60s -s deadline.lua <url> -- <people file> <think ms> <draft share> <part> <parts> <N>
-- One line per employee in the people file: "<session key> <cycle id> <code>=<q>,<q>;<code>=<q>,…"

package.path = "benchmarks/?.lua;" .. package.path
local report = require("wrk_report")
setup, done = report.setup, report.done

-- per thread -----------------------------------------------------------------------------------
local people, next_person = {}, 1
local think, draft_share
local person, steps, step, csrf_secret, csrf_token
local pending_kind, pending_check, sent_at

local function letters(n)
  local out = {}
  for i = 1, n do
    local c = math.random(1, 62)
    out[i] = string.sub("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", c, c)
  end
  return table.concat(out)
end

function init(args)
  local file, part, parts = args[1], tonumber(args[4]), tonumber(args[5])
  think, draft_share = tonumber(args[2]), tonumber(args[3])
  local total_threads = tonumber(args[6])
  math.randomseed(index * 7919 + os.time())
  local n = 0
  for line in io.lines(file) do
    n = n + 1
    -- This run's part of the file (the warm-up and the measured run use different people), then
    -- this thread's share of it.
    if n % parts == part and math.floor(n / parts) % total_threads == index - 1 then
      local session, cycle, rest = line:match("^(%S+) (%d+) (%S+)$")
      local departments = {}
      for code, questions in rest:gmatch("([^=;]+)=([^;]+)") do
        local list = {}
        for q in questions:gmatch("[^,]+") do table.insert(list, q) end
        table.insert(departments, { code = code, questions = list })
      end
      table.insert(people, { session = session, cycle = cycle, departments = departments })
    end
  end
end

local function begin_person()
  person = people[next_person]
  next_person = next_person + 1
  if person == nil then return end
  -- A browser that visited before holds a CSRF cookie; the page's token is a masking of it.
  csrf_secret = letters(32)
  steps = { { kind = "employee: my surveys" }, { kind = "employee: survey page" } }
  for _, department in ipairs(person.departments) do
    if math.random() < draft_share then
      table.insert(steps, { kind = "employee: save draft", department = department, action = "draft" })
    end
    table.insert(steps, { kind = "employee: submit", department = department, action = "submit" })
  end
  step = 1
end

local function form_body(department, action)
  local parts = { "csrfmiddlewaretoken=" .. csrf_token, "action=" .. action }
  for _, q in ipairs(department.questions) do
    local score = math.random(0, 5)
    table.insert(parts, department.code .. "-q_" .. q .. "=" .. (score == 0 and "na" or tostring(score)))
  end
  local comment = (math.random() < 0.2) and "Quick+and+friendly%2C+thanks" or ""
  table.insert(parts, department.code .. "-comment_good=" .. comment)
  table.insert(parts, department.code .. "-comment_improve=")
  return table.concat(parts, "&")
end

function delay()
  -- wrk calls request() once before the run to check the script (without delay() first).
  running = true
  if person == nil and next_person > #people then return 3600000 end -- nobody left: idle
  if sent_at == nil then return math.random(0, 2 * think) end         -- stagger the start
  return math.floor(think * (0.5 + math.random()))
end

function request()
  if not running then return wrk.format("GET", "/healthz") end -- wrk's check of the script, not sent
  if pending_kind then report.record(pending_kind, sent_at, false) end -- no response (a timeout): an error
  if person == nil or step > #steps then begin_person() end
  if person == nil then return wrk.format("GET", "/healthz") end
  local s = steps[step]
  local cookie = "sessionid=" .. person.session .. "; csrftoken=" .. csrf_secret
  pending_kind, sent_at = s.kind, report.now_ms()
  if s.kind == "employee: my surveys" then
    pending_check = "page"
    return wrk.format("GET", "/my/surveys/", { Cookie = cookie })
  elseif s.kind == "employee: survey page" then
    pending_check = "token"
    return wrk.format("GET", "/surveys/" .. person.cycle .. "/", { Cookie = cookie })
  end
  pending_check = s.action == "draft" and '"status": "draft"' or '"status": "completed"'
  return wrk.format("POST", "/surveys/" .. person.cycle .. "/" .. s.department.code .. "/", {
    Cookie = cookie,
    Accept = "application/json",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    Origin = "http://" .. wrk.host .. ":" .. wrk.port,
  }, form_body(s.department, s.action))
end

function response(status, headers, body)
  if not pending_kind then return end
  local ok = status == 200
  if ok and pending_check == "token" then
    csrf_token = body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
    ok = csrf_token ~= nil
  elseif ok and pending_check ~= "page" then
    ok = body:find(pending_check, 1, true) ~= nil
  end
  report.record(pending_kind, sent_at, ok)
  if not ok and report.should_tell() then
    io.stderr:write(string.format("failed: %s answered %d: %s\n", pending_kind, status, body:sub(1, 300)))
  end
  pending_kind = nil
  if ok then
    step = step + 1
  else
    step = #steps + 1 -- this person gives up; the next one starts
  end
end
