package io.triggerdeploy.analytics;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * Deployment analytics over the last {@code days} days (UTC), computed in SQL from the deployments table.
 * {@code empty} is true when nothing was queued in the window; every figure is then zero or null.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalyticsReport(int days, OffsetDateTime from, OffsetDateTime to, boolean empty, Totals totals,
                              List<Day> perDay, List<Group> perServer, List<Group> perUser, List<Reason> failureReasons,
                              List<Hour> busiestHours) {

    /** success_rate = succeeded / finished (null when nothing finished); durations over finished runs. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Totals(long total, long succeeded, long failed, long finished, Double successRate,
                         Double meanDurationMs, Double p95DurationMs) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Day(LocalDate day, long total, Map<String, Long> byStatus, Double meanDurationMs, Double p95DurationMs) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "AnalyticsGroup")
    public record Group(String name, long total, long succeeded, long finished, Double successRate, Double meanDurationMs,
                        Double p95DurationMs) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "FailureReason")
    public record Reason(String status, String reason, long count) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hour(int hour, long total) {
    }
}
