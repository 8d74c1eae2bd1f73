package io.triggerdeploy.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/** Deployment statistics for the last 24 h, 7 d and 30 d, computed in SQL. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentStats(Map<String, Window> windows) {

    /**
     * One time window. {@code success_rate} is succeeded / finished (null when nothing finished); a deployment
     * cancelled before it started counts in {@code total} and {@code by_status} but is not finished (it never ran).
     * The same definition as {@code /api/analytics} ({@link DeploymentFigures}).
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(long total, Map<String, Long> byStatus, Double successRate, Double meanDurationMs,
                         Double p95DurationMs, List<PerServer> servers) {
    }

    /** One server within a window. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PerServer(String server, long total, long succeeded, long finished, Double successRate,
                            Double meanDurationMs, Double p95DurationMs) {
    }
}
