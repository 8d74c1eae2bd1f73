-- wrk script: GET a page with the browser session cookie from COOKIE; PATH_QUERY picks the page
wrk.headers["Cookie"] = "td_session=" .. os.getenv("COOKIE")
wrk.path = os.getenv("PATH_QUERY")
done = function(summary, latency, requests)
  io.write(string.format("PAGES %s requests=%d non2xx=%d rps=%.1f p50=%.2fms p99=%.2fms\n", os.getenv("PATH_QUERY"),
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
