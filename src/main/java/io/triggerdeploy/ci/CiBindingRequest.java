package io.triggerdeploy.ci;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.Map;

/**
 * A CI binding: the ID tokens of {@code issuer} (id, name or issuer URL) whose {@code claims} all hold (claim name to
 * value, exact; a value ending in {@code *} matches a prefix; one of them must pin the repository or project exactly)
 * act as {@code team} (id or name) for {@code token_lifetime} (e.g. {@code 15m}; 60 s to 1 h, default 15 m).
 * {@code name} (default: made from the team) is how the audit trail calls it.
 */
public record CiBindingRequest(
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", message = "must be 1 to 64 letters, digits, '.', '_' or '-'") String name,
        @NotBlank(message = "is required") @Size(max = 512, message = "must be at most 512 characters") String issuer,
        @NotNull(message = "is required") @Size(min = 1, max = 10, message = "must hold 1 to 10 claims") Map<String, String> claims,
        @NotBlank(message = "is required") @Size(max = 64, message = "must be at most 64 characters") String team,
        @Pattern(regexp = "\\d{1,5}[smh]?", message = "must be a duration such as 900s, 15m or 1h") String tokenLifetime) {
}
