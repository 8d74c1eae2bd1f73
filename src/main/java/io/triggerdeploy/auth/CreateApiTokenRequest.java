package io.triggerdeploy.auth;

import io.triggerdeploy.user.UserRules;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.OffsetDateTime;

/** Asks for a new API token; give {@code expires_at} or {@code expires_in_days} (default 90 days). */
public record CreateApiTokenRequest(
        @NotBlank @Size(max = 100) String name,
        @Pattern(regexp = UserRules.ROLE_PATTERN, message = "must be admin, operator or viewer") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 8) String role,
        OffsetDateTime expiresAt,
        @Min(1) @Max(3650) Integer expiresInDays) {
}
