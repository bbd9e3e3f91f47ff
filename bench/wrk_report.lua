-- wrk script for bench/http_load.py: prints one JSON line with the exact figures, and
-- counts the responses whose body contains WRK_MARKER (if that variable is set), e.g. a
-- composed report with a section marked unavailable.

local marker = os.getenv("WRK_MARKER")
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   marked = 0
end

if marker and marker ~= "" then
   function response(status, headers, body)
      if body and string.find(body, marker, 1, true) then
         marked = marked + 1
      end
   end
end

function done(summary, latency, requests)
   local total_marked = 0
   for _, thread in ipairs(threads) do
      total_marked = total_marked + (thread:get("marked") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"marked":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout, total_marked))
end
