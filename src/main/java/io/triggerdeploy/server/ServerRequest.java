package io.triggerdeploy.server;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

/**
 * A server as an admin writes it. On create, {@code name}, {@code alias}, {@code host}, {@code user} and
 * {@code path} are required; on update, absent fields stay as they are.
 */
public record ServerRequest(
        @Size(min = 1, max = 100) String name,
        @Pattern(regexp = ServerRules.ALIAS, message = "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 64) String alias,
        @Pattern(regexp = ServerRules.HOST, message = "must be a host name or an IP address") @Size(max = 253) String host,
        @Min(1) @Max(65535) Integer port,
        @Pattern(regexp = ServerRules.USER, message = "must be a valid user name (letters, digits, '.', '_', '-')") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 32) String user,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 1024) String path,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 1024) String command,
        @Pattern(regexp = ServerRules.ENVIRONMENT, message = "must be 1-64 letters, digits, '.', '_' or '-'") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 64) String environment,
        @Size(max = 1000) String description,
        @Min(1) @Max(86400) Integer timeoutSeconds,
        Boolean active,
        @Size(max = 16384) String hostKey,
        @Size(max = 255) String privateKeyRef,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "The parameters deployments take; "
                + "absent leaves them as they are, [] removes them") List<ParameterSpec> parameters,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Secret variables (write-only): "
                + "name to value; a null or empty value removes the variable, absent names stay") Map<String, String> secrets,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Steps around the deploy command; absent "
                + "leaves them as they are, {} removes them") StepsSpec steps,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Id or alias of the server this one is "
                + "reached through (it must not have a jump host itself); \"\" removes it, absent leaves it", maxLength = 253)
        @Size(max = 253) String jumpHost,
        @Pattern(regexp = "queue|reject|replace", message = "must be queue, reject or replace")
        @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "While a deployment is queued or running: "
                + "queue behind it (default), reject the trigger (409), or replace the queued ones (they end SUPERSEDED)",
                enumeration = {"queue", "reject", "replace"}) String queuePolicy,
        @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Labels rollouts select servers by "
                + "(role=web,region=eu): keys 1-63 lower-case letters, digits, '_', '.' or '-' starting with a letter; values "
                + "1-63 letters, digits, '_', '.', ':', '/' or '-' starting with a letter or digit. Absent leaves them as "
                + "they are, {} removes them", maxProperties = ServerLabels.MAX) Map<String, String> labels) {

    /** The request without its secret values, for anything that prints it. */
    @Override
    public String toString() {
        return "ServerRequest[alias=" + alias + ", host=" + host + ", secrets=" + (secrets == null ? null : secrets.keySet()) + "]";
    }
}
