package io.triggerdeploy.federation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.Map;

/**
 * A CI binding: the ID tokens of {@code issuer} (id or name) whose claims meet every one of {@code conditions} (claim
 * name to value; one of them must pin the repository or project exactly) act as {@code team} (id or name) for
 * {@code lifetime_seconds} (60 to 3600, default 900).
 */
public record CiBindingRequest(
        @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
                message = "must be 1 to 64 letters, digits, '.', '_' or '-'") String name,
        @NotBlank(message = "is required") @Size(max = 64, message = "must be at most 64 characters") String issuer,
        @NotNull(message = "is required") @Size(min = 1, max = 10, message = "must hold 1 to 10 conditions") Map<String, String> conditions,
        @NotBlank(message = "is required") @Size(max = 64, message = "must be at most 64 characters") String team,
        @Min(value = 60, message = "must be at least 60") @Max(value = 3600, message = "must be at most 3600 (an hour)") Integer lifetimeSeconds) {
}
