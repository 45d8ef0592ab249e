-- Benchmark harness: loaded by wrk (`wrk -s bench/lib/wrk-report.lua`).
-- Prints one machine-readable summary line at the end of a run, so the harness does not
-- parse wrk's human text. Adds `Connection: close` when WRK_CLOSE=1 (workload b: one new
-- connection per request), and a random Range per request when WRK_RANGE_SIZE is set. No
-- per-response Lua callback: that would slow wrk down.
if os.getenv("WRK_CLOSE") == "1" then
  wrk.headers["Connection"] = "close"
end

-- WRK_RANGE_SIZE=N (workload range): each request asks for a random 64 KiB of an N-byte file.
local rangeSize = tonumber(os.getenv("WRK_RANGE_SIZE") or "")
if rangeSize ~= nil and rangeSize > 65536 then
  math.randomseed(20261206)
  request = function()
    local first = math.random(0, rangeSize - 65536)
    wrk.headers["Range"] = string.format("bytes=%d-%d", first, first + 65535)
    return wrk.format()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"bytes":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"lat_p50_us":%d,"lat_p99_us":%d,"lat_max_us":%d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
