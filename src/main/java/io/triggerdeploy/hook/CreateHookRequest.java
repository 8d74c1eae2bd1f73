package io.triggerdeploy.hook;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A new hook: bound to a server (id, alias or host) or to a rollout ({@code rollout}: the body of
 * {@code POST /api/rollouts} without {@code ref}, which each push gives), of kind {@code github}, {@code gitlab} or {@code hmac}. For
 * {@code hmac}, {@code header_name} (default {@code X-Signature-256}) and {@code algorithm} ({@code sha256},
 * {@code sha1} or {@code sha512}) say how the sender signs. {@code branch} (e.g. {@code main}) skips pushes of
 * other refs. {@code parameters}: fixed values of the server's parameters for every delivery; {@code event_parameters}:
 * parameters taken from the event by JSON pointer ({@code {"SERVICE": "/repository/name"}}); REF comes from the push.
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record CreateHookRequest(
        // deployments record "hook:<name>" as who asked (64 characters at most)
        @NotBlank @Size(max = 50) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._ -]*", message = "must be letters, digits, spaces, '.', '_' or '-'") String name,
        @Size(max = 253) String server,
        java.util.Map<String, Object> rollout,
        @NotBlank @Pattern(regexp = "github|gitlab|hmac", message = "must be github, gitlab or hmac") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 6) String kind,
        @Pattern(regexp = "[A-Za-z0-9-]{1,100}", message = "must be an HTTP header name") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 100) String headerName,
        @Pattern(regexp = "sha1|sha256|sha512", message = "must be sha1, sha256 or sha512") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 6) String algorithm,
        @Size(max = 255) @Pattern(regexp = "[^\\s~^:?*\\[\\\\]+", message = "must be a branch or ref name") String branch,
        @Size(max = 50) java.util.Map<String, String> parameters,
        @Size(max = 50) java.util.Map<String, String> eventParameters) {
}
