package io.triggerdeploy.monitor;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.AddressPolicy;
import io.triggerdeploy.common.Workers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.NetClient;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.TimeoutException;

/**
 * Runs one check without blocking an event loop: name resolution on a worker, then the Vert.x web client (HTTP) or
 * net client (TCP). Every address a check would reach, redirects included, must pass the {@link NetworkPolicy}.
 */
@ApplicationScoped
public class Checker {

    private final Vertx vertx;
    private final NetworkPolicy policy;
    private final MonitorConfig config;
    private final WebClient http;
    private final NetClient tcp;

    public Checker(Vertx vertx, NetworkPolicy policy, MonitorConfig config) {
        this.vertx = vertx;
        this.policy = policy;
        this.config = config;
        this.http = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false).setUserAgent("trigger-deploy-monitor")
                .setKeepAlive(false).setTrustAll(false));
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
    }

    @PreDestroy
    void close() {
        http.close();
        tcp.close().subscribe().with(x -> { }, x -> { });
    }

    public Uni<CheckResult> check(WatchRepository.Target t) {
        long t0 = System.nanoTime();
        Uni<CheckResult> run = "tcp".equals(t.kind()) ? tcp(t, t0) : http(t, URI.create(t.target()), config.maxRedirects(), t0);
        return run.ifNoItem().after(java.time.Duration.ofMillis(t.timeoutMs() + 2000L))
                .recoverWithItem(() -> CheckResult.down(t.timeoutMs(), null, "No answer within " + t.timeoutMs() + " ms"))
                .onFailure().recoverWithItem(e -> e instanceof AddressPolicy.Refused ? CheckResult.refused(describe(e, t))
                        : CheckResult.down((int) ms(t0), null, describe(e, t)));
    }

    /** Resolves a host on a worker and applies the policy to every address. */
    private Uni<InetAddress> resolve(String host) {
        return Workers.run(() -> policy.resolve(host));
    }

    private Uni<CheckResult> tcp(WatchRepository.Target t, long t0) {
        int colon = t.target().lastIndexOf(':');
        String host = t.target().substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(t.target().substring(colon + 1));
        return resolve(host).chain(address -> tcp.connect(port, address.getHostAddress())
                .ifNoItem().after(java.time.Duration.ofMillis(t.timeoutMs())).failWith(TimeoutException::new)
                .map(socket -> {
                    long ms = ms(t0);
                    socket.close().subscribe().with(x -> { }, x -> { });
                    boolean slow = t.slowMs() != null && ms > t.slowMs();
                    return new CheckResult(slow ? "DEGRADED" : "UP", (int) ms, null, slow ? "Slow: " + ms + " ms" : null);
                }));
    }

    private Uni<CheckResult> http(WatchRepository.Target t, URI url, int redirectsLeft, long t0) {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            return Uni.createFrom().item(CheckResult.down(null, null, "Only http and https URLs are checked"));
        }
        // connect to the address that passed the policy (no second lookup that could answer differently)
        int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String host = url.getHost().replace("[", "").replace("]", "");
        RequestOptions options = new RequestOptions().setHost(host).setPort(port).setURI(path)
                .setSsl("https".equals(url.getScheme())).setTimeout(t.timeoutMs());
        return resolve(host).chain(address -> http.request(HttpMethod.GET,
                        SocketAddress.inetSocketAddress(port, address.getHostAddress()), options).send())
                .chain(r -> {
                    String location = r.getHeader("Location");
                    if (r.statusCode() / 100 == 3 && location != null && !expected(t.expectedStatuses(), r.statusCode())) {
                        if (redirectsLeft <= 0) {
                            return Uni.createFrom().item(CheckResult.down((int) ms(t0), r.statusCode(),
                                    "Too many redirects (more than " + config.maxRedirects() + ")"));
                        }
                        return http(t, url.resolve(location), redirectsLeft - 1, t0);
                    }
                    return Uni.createFrom().item(evaluate(t, r, ms(t0)));
                });
    }

    static CheckResult evaluate(WatchRepository.Target t, HttpResponse<Buffer> r, long ms) {
        int code = r.statusCode();
        if (!expected(t.expectedStatuses(), code)) {
            return CheckResult.down((int) ms, code, "Unexpected status " + code + " (expected " + statuses(t) + ")");
        }
        if (t.bodyContains() != null && !t.bodyContains().isEmpty()) {
            String body = r.bodyAsString();
            if (body == null || !body.contains(t.bodyContains())) {
                return new CheckResult("DEGRADED", (int) ms, code, "The answer does not contain \"" + t.bodyContains() + "\"");
            }
        }
        if (t.slowMs() != null && ms > t.slowMs()) {
            return new CheckResult("DEGRADED", (int) ms, code, "Slow: " + ms + " ms (limit " + t.slowMs() + " ms)");
        }
        return new CheckResult("UP", (int) ms, code, null);
    }

    static String statuses(WatchRepository.Target t) {
        return t.expectedStatuses() == null ? "200-299" : t.expectedStatuses();
    }

    static boolean expected(String spec, int code) {
        String s = spec == null || spec.isBlank() ? "200-299" : spec;
        for (String part : s.split(",")) {
            String[] range = part.trim().split("-");
            int lo = Integer.parseInt(range[0]);
            int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
            if (code >= lo && code <= hi) {
                return true;
            }
        }
        return false;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static String describe(Throwable e, WatchRepository.Target t) {
        if (e instanceof AddressPolicy.Refused p) {
            return "Refused: " + p.getMessage();
        }
        if (e instanceof TimeoutException || e instanceof io.netty.channel.ConnectTimeoutException
                || (e.getMessage() != null && e.getMessage().contains("timeout"))) {
            return "No answer within " + t.timeoutMs() + " ms";
        }
        if (e instanceof java.net.ConnectException || (e.getMessage() != null && e.getMessage().contains("Connection refused"))) {
            return "Connection refused";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.length() > 300 ? m.substring(0, 300) : m;
    }

}
