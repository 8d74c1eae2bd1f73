package io.triggerdeploy.ci;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A CI job's ID token (GitHub Actions' {@code id-token: write}, GitLab's {@code id_tokens}), to exchange. */
public record CiTokenRequest(@NotBlank(message = "is required") @Size(max = 16384, message = "must be at most 16384 characters") String token) {
}
