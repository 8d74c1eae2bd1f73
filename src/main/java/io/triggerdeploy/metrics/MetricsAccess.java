package io.triggerdeploy.metrics;

import io.smallrye.config.ConfigMapping;
import io.triggerdeploy.common.ProblemMapper;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code /q/metrics} behind a scrape token when {@code trigger.metrics.token} is set: Prometheus sends it as
 * {@code Authorization: Bearer <token>} ({@code authorization: {credentials_file: …}} in its scrape config), anyone
 * else gets 401. Without the setting the endpoint stays open, for setups that keep the port private.
 */
@ApplicationScoped
public class MetricsAccess {

    private final Optional<byte[]> token;

    public MetricsAccess(MetricsConfig config) {
        this.token = config.token().filter(t -> !t.isBlank()).map(t -> t.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** Metrics settings ({@code trigger.metrics.*}). */
    @ConfigMapping(prefix = "trigger.metrics")
    public interface MetricsConfig {
        /** The scrape token; unset leaves /q/metrics open. */
        Optional<String> token();
    }

    void protect(@Observes Router router) {
        if (token.isEmpty()) {
            return;
        }
        router.route("/q/metrics*").order(-50).handler(rc -> {
            String header = rc.request().getHeader("Authorization");
            byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (MessageDigest.isEqual(token.get(), presented)) {
                rc.next();
                return;
            }
            rc.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"")
                    .putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                    .end(ProblemMapper.json(401, "Unauthorized", "The metrics need the scrape token (trigger.metrics.token)",
                            "/q/metrics"));
        });
    }
}
