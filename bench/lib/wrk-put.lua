-- Benchmark harness: loaded by wrk for workload `upload` (`wrk -s bench/lib/wrk-put.lua`).
-- Every request is a PUT of WRK_PUT_BYTES bytes (default 1 MiB) to one of WRK_PUT_NAMES file
-- names (default 16) under WRK_PUT_DIR, in turn, so a run overwrites a few files instead of
-- filling the disk (both servers replace: nginx's WebDAV PUT always, ours with --upload-replace).
-- Prints the same one-line summary as wrk-report.lua.
local size = tonumber(os.getenv("WRK_PUT_BYTES") or "") or 1048576
local names = tonumber(os.getenv("WRK_PUT_NAMES") or "") or 16
local dir = os.getenv("WRK_PUT_DIR") or "/up/"
local body = string.rep("u", size)
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("PUT", dir .. "client-" .. (counter % names) .. ".bin", nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"bytes":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"lat_p50_us":%d,"lat_p99_us":%d,"lat_max_us":%d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
