package io.triggerdeploy.ci;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A CI issuer to trust: {@code issuer} exactly as its tokens' {@code iss} says it (GitHub Actions:
 * {@code https://token.actions.githubusercontent.com}; GitLab: the instance's URL), {@code jwks_url} its key set, and the
 * {@code audience} the tokens must be made for (the {@code aud} a job asks for); {@code name} (default: the issuer's host)
 * is how bindings and the audit trail call it.
 */
public record CiIssuerRequest(
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
                message = "must be 1 to 64 letters, digits, '.', '_' or '-'") String name,
        @NotBlank(message = "is required") @Size(max = 512, message = "must be at most 512 characters") String issuer,
        @NotBlank(message = "is required") @Size(max = 2048, message = "must be at most 2048 characters") String jwksUrl,
        @NotBlank(message = "is required") @Size(max = 256, message = "must be at most 256 characters") String audience) {
}
