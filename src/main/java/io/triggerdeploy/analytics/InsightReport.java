package io.triggerdeploy.analytics;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.Map;

/** The four DORA keys over a period, for an environment, a server or everything the caller sees, each with its band. */
public record InsightReport(OffsetDateTime from, OffsetDateTime to, @Schema(nullable = true) String environment,
                            @Schema(nullable = true) String server, @Schema(nullable = true) String group, Frequency deploymentFrequency, LeadTime leadTime,
                            FailureRate changeFailureRate, Restore timeToRestore, Map<String, String> definitions) {

    /** SUCCEEDED deployments in the period and per day. */
    public record Frequency(long deployments, double perDay, @Schema(nullable = true) String band) {
    }

    /** From the commit (or the first sight of the version) to its first success in its environment: median and p90. */
    public record LeadTime(@Schema(nullable = true) Long medianSeconds, @Schema(nullable = true) Long p90Seconds, long changes,
                           @Schema(nullable = true) String band) {
    }

    /** The share of deployments that failed or were failures by the definition. */
    public record FailureRate(@Schema(nullable = true) Double rate, long failed, long deployments, @Schema(nullable = true) String band) {
    }

    /** From a failure to service restored: median and p90 over the incidents restored. */
    public record Restore(@Schema(nullable = true) Long medianSeconds, @Schema(nullable = true) Long p90Seconds, long incidents,
                          @Schema(nullable = true) String band) {
    }
}
