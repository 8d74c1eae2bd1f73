package io.triggerdeploy.federation;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A row of the group mapping: members of {@code group} at {@code provider} ({@code oidc}, {@code ldap} or {@code any},
 * the default) get {@code role} (the highest of their mapped roles wins) and/or join {@code team} (id or name).
 */
public record GroupMappingRequest(
        @Pattern(regexp = "any|oidc|ldap", message = "must be any, oidc or ldap") String provider,
        @NotBlank(message = "is required") @Size(max = 256, message = "must be at most 256 characters") String group,
        @Pattern(regexp = "admin|operator|viewer", message = "must be admin, operator or viewer") String role,
        @Size(max = 64, message = "must be at most 64 characters") String team) {
}
