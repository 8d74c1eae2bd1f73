package io.triggerdeploy.schedule;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A schedule as written: the server, {@code cron} (five fields, e.g. {@code 0 3 * * MON-FRI}) or {@code run_at} (once),
 * the time zone of the cron fields, the parameter values of each run (no secrets), whether it is on, and whether a run
 * missed while the service was down runs once when it is back ({@code catch_up: last}) or not ({@code none}). Instead of
 * {@code server} (and {@code parameters}), {@code rollout}: the body of {@code POST /api/rollouts} each run starts.
 */
public record ScheduleRequest(@Size(max = 253) String server, @Size(max = 200) String description,
                              @Size(max = 200) @Schema(example = "0 3 * * MON-FRI") String cron, OffsetDateTime runAt,
                              @Size(max = 64) @Schema(description = "default UTC", example = "Europe/Berlin") String timeZone,
                              @Size(max = 60) Map<String, Object> parameters, Boolean enabled,
                              @Pattern(regexp = "none|last", message = "must be none or last") String catchUp,
                              Map<String, Object> rollout) {
}
