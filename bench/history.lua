-- wrk script: GET a history page with a bearer token from TOKEN; PATH_QUERY picks the page
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.path = os.getenv("PATH_QUERY")
done = function(summary, latency, requests)
  io.write(string.format("HISTORY %s requests=%d non2xx=%d rps=%.1f p50=%.2fms p99=%.2fms\n", os.getenv("PATH_QUERY"),
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
