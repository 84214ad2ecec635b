-- wrk script for scripts/soak.sh: a mix of page views, form logins, API writes
-- with a header token, and requests that must be refused, in a fixed rotation.
-- Counts answers by class: 2xx/3xx, 403, 5xx, and anything else.
local cookie = os.getenv("SOAK_COOKIE")
local token = os.getenv("SOAK_TOKEN")
local origin = os.getenv("SOAK_ORIGIN")
local host = origin:gsub("^https?://", "")
local good = {
  { method = "GET", path = "/", body = nil, headers = { ["Cookie"] = cookie } },
  { method = "POST", path = "/login", body = "username=ada&password=pw&_csrf_token=" .. token,
    headers = { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
                ["Sec-Fetch-Site"] = "same-origin", ["Origin"] = origin } },
  { method = "PUT", path = "/items/7", body = nil,
    headers = { ["Cookie"] = cookie, ["X-CSRFToken"] = token, ["Sec-Fetch-Site"] = "same-origin" } },
  { method = "GET", path = "/health", body = nil, headers = {} },
}
local bad = {
  -- Another site's form post.
  { method = "POST", path = "/login", body = "username=eve&password=x",
    headers = { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
                ["Sec-Fetch-Site"] = "cross-site", ["Origin"] = "https://evil.example" } },
  -- A forged header token.
  { method = "DELETE", path = "/items/7", body = nil,
    headers = { ["Cookie"] = cookie, ["X-CSRFToken"] = string.rep("A", 86), ["Sec-Fetch-Site"] = "same-origin" } },
}
-- Six good requests, then two that must be refused, in rotation: a quarter
-- of the answers must be 403s (wrk does not say which request an answer
-- belongs to, so the share is the check).
local requests = {}
for i = 1, 8 do
  local r
  if i % 4 == 0 then r = bad[i / 4] else r = good[(i - 1) % #good + 1] end
  -- wrk.format adds no Host when given headers.
  r.headers["Host"] = host
  requests[i] = wrk.format(r.method, r.path, r.headers, r.body)
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  ok, refused, server_errors, unexpected = 0, 0, 0, 0
end
function request()
  n = n % #requests + 1
  return requests[n]
end
function response(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status == 403 then
    refused = refused + 1
  elseif status < 400 then
    ok = ok + 1
  else
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local t = { ok = 0, refused = 0, server_errors = 0, unexpected = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  io.write(string.format("SOAK ok=%d refused=%d server_errors=%d unexpected=%d p99_us=%d socket_errors=%d\n",
    t.ok, t.refused, t.server_errors, t.unexpected, latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
