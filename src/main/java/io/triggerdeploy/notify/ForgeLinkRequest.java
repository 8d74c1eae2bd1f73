package io.triggerdeploy.notify;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A forge link as an admin writes it: {@code kind} github or gitlab, {@code api_url} (https://api.github.com,
 * https://gitlab.example.com/api/v4), {@code repository} (owner/name, a GitLab project path), {@code token} (write-only;
 * GitHub: deployments and commit statuses write; GitLab: api scope), and either {@code environment} or {@code server}
 * (id or alias) whose deployments write their status; {@code environment_url} is where the deployed thing is seen.
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record ForgeLinkRequest(
        @NotBlank(message = "is required") @Pattern(regexp = "github|gitlab", message = "must be github or gitlab") String kind,
        @NotBlank(message = "is required") @Size(max = 2048, message = "must be at most 2048 characters") String apiUrl,
        @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+", message = "must be owner/name (a GitLab project path may have more parts)")
        @Size(max = 256, message = "must be at most 256 characters") String repository,
        @NotBlank(message = "is required") @Size(max = 500, message = "must be at most 500 characters") String token,
        @Size(max = 64, message = "must be at most 64 characters") String environment,
        @Size(max = 253, message = "must be at most 253 characters") String server,
        @Size(max = 2048, message = "must be at most 2048 characters") String environmentUrl) {

    @Override
    public String toString() {
        return "ForgeLinkRequest[kind=" + kind + ", repository=" + repository + "]";
    }
}
