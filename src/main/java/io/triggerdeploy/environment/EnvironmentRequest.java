package io.triggerdeploy.environment;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * An environment's name and whole policy (PUT replaces the policy: an absent field takes its default, so a form sends
 * everything it shows). {@code name} is required to create one and cannot change.
 */
public record EnvironmentRequest(
        @Pattern(regexp = EnvironmentRules.NAME, message = "must be 1-64 letters, digits, '.', '_' or '-'") @Schema(maxLength = 64) String name,
        @Size(max = 500) String description,
        @Min(0) @Max(5) @Schema(description = "0 (default) to 5") Integer requiredApprovals,
        @Min(1) @Max(43200) @Schema(description = "1 to 43200 minutes (default 1440, a day)") Integer approvalTimeoutMinutes,
        Boolean breakGlass,
        @Pattern(regexp = "queue|reject|replace", message = "must be queue, reject or replace") String queuePolicy,
        @Pattern(regexp = "refuse|queue", message = "must be refuse or queue") String freezeAction,
        @Size(max = 64) @Schema(description = "default UTC", example = "Europe/Berlin") String timeZone,
        @Size(max = 50) List<Windows.Freeze> freezeWindows,
        @Size(max = 50) List<Windows.Weekly> weeklyFreezes,
        Windows.Hours deployHours) {
}
