-- wrk script: GET /api/me with a bearer token given in the TOKEN environment variable
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
done = function(summary, latency, requests)
  io.write(string.format("ME requests=%d non2xx=%d rps=%.1f p50=%.2fms p99=%.2fms\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
