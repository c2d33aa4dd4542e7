-- wrk script for bench/province.py: signs each request in as the next of many learners, and
-- prints one JSON line of figures when done.
--   wrk ... -s bench/wrk.lua URL -- MODE USERS_FILE SESSION_COOKIE CSRF_COOKIE ACTIVITY_IRI
-- MODE: get (a page), xapi (our H5P statement, wrapped with its attempt), lms-xapi (a bare
-- statement, as wagtail-lms takes it). USERS_FILE: "session csrf attempt" per line.

local users, count, position, counter = {}, 0, 0, 0
local mode, session_cookie, csrf_cookie, iri = "get", "", "", ""

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "get"
  session_cookie = args[3] or ""
  csrf_cookie = args[4] or ""
  iri = args[5] or ""
  if args[2] and args[2] ~= "" and args[2] ~= "-" then
    for line in io.lines(args[2]) do
      local session, csrf, attempt = line:match("^(%S+)%s+(%S+)%s*(%S*)")
      if session then
        count = count + 1
        users[count] = { session, csrf, attempt }
      end
    end
  end
  -- Threads start at different learners.
  position = ((thread_id or 1) * 7919) % math.max(count, 1)
end

local function statement()
  counter = counter + 1
  return string.format(
    '{"actor":{"name":"Học viên","mbox":"mailto:hv@bench.vn","objectType":"Agent"},'
      .. '"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},'
      .. '"object":{"id":"%s?subContentId=bench-%d-%d","objectType":"Activity",'
      .. '"definition":{"interactionType":"true-false","correctResponsesPattern":["true"]}},'
      .. '"context":{"contextActivities":{"parent":[{"id":"%s","objectType":"Activity"}]}},'
      .. '"result":{"score":{"min":0,"max":1,"raw":1,"scaled":1},"success":true,'
      .. '"completion":true,"response":"true","duration":"PT3.2S"}}',
    iri, thread_id or 0, counter, iri)
end

function request()
  if count == 0 then
    return wrk.format("GET")
  end
  position = position % count + 1
  local user = users[position]
  local headers = {
    ["Cookie"] = session_cookie .. "=" .. user[1] .. "; " .. csrf_cookie .. "=" .. user[2],
  }
  if mode == "get" then
    return wrk.format("GET", nil, headers)
  end
  headers["Content-Type"] = "application/json"
  headers["X-CSRFToken"] = user[2]
  local body = statement()
  if mode == "xapi" then
    body = '{"attempt":' .. user[3] .. ',"statement":' .. body .. "}"
  end
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50": %.2f, "p95": %.2f, "p99": %.2f, '
      .. '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
