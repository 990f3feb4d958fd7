-- Shared by the wrk scripts: the seeded IDs (bench/out/seed.lua, written by
-- bench/seed) and a one-line result for bench/run.sh to read.
dofile("bench/out/seed.lua")

function result(name)
  return function(summary, latency, requests)
    local secs = summary.duration / 1e6
    local errors = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT %s rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d\n",
      name, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests, errors))
  end
end
