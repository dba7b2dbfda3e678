-- wrk script of `make bench`: one route, every answer's status counted. Settings come from the
-- environment (set by bench/http.mjs):
--   BENCH_METHOD, BENCH_PATH (may hold {session}), BENCH_BODY, BENCH_KEY (the client key),
--   BENCH_SESSIONS_PREFIX and BENCH_PER_SESSION: {session} becomes PREFIX .. n, n advancing every
--   PER_SESSION requests, so a limited route never spends one session's quota;
--   BENCH_REQUEST_IDS=1: each request carries an X-Request-Id of its own.
-- Prints one line `BENCH-STATUS {"200":n,...}` at the end.
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
if body == "" then body = nil end
local prefix = os.getenv("BENCH_SESSIONS_PREFIX") or "s"
local per_session = tonumber(os.getenv("BENCH_PER_SESSION") or "0")
local headers = { ["x-api-key"] = os.getenv("BENCH_KEY") or "" }
local request_ids = os.getenv("BENCH_REQUEST_IDS") == "1"
if body then headers["content-type"] = "application/json" end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local sent = 0
counts = {}

function request()
  local session = prefix
  if per_session > 0 then session = prefix .. math.floor(sent / per_session) end
  sent = sent + 1
  if request_ids then headers["x-request-id"] = "bench-" .. sent end
  return wrk.format(method, (path:gsub("{session}", session)), headers, body)
end

function response(status, _, _)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

function done(_, _, _)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%s":%d', status, n)) end
  io.write("BENCH-STATUS {" .. table.concat(parts, ",") .. "}\n")
end
