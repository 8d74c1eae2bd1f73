package io.triggerdeploy.user;

import io.triggerdeploy.security.Role;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import io.quarkus.runtime.annotations.RegisterForReflection;
/**
 * One row of the Flask tool's {@code users} table, as exported to JSON. Roles map as
 * superadmin/admin → admin, user/operator → operator, viewer (and anything else) → viewer.
 */
@RegisterForReflection
public record LegacyUserRecord(@Schema(maxLength = 64) String username, @Schema(maxLength = 254) String email,
                               @Schema(maxLength = 1024) String passwordHash, @Schema(maxLength = 64) String role,
                               Boolean isActive) {

    public Role mappedRole() {
        String r = role == null ? "" : role.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (r) {
            case "superadmin", "super_admin", "admin" -> Role.ADMIN;
            case "user", "operator", "deployer" -> Role.OPERATOR;
            default -> Role.VIEWER;
        };
    }

    @Override
    public String toString() {
        return "LegacyUserRecord[username=" + username + "]";
    }
}
