package io.triggerdeploy.user;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.security.Role;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One row of the Flask tool's {@code users} table, as exported to JSON. Roles map as
 * superadmin/admin → admin, user/operator → operator, viewer (and anything else) → viewer.
 */
@RegisterForReflection
public record LegacyUserRecord(
        @NotNull @Pattern(regexp = UserRules.USERNAME_PATTERN, message = "invalid username") @Schema(maxLength = 64) String username,
        @Size(max = 254, message = LONG) @Schema(maxLength = 254) String email,
        @Size(max = 1024, message = LONG) @Schema(maxLength = 1024) String passwordHash,
        @Size(max = 64, message = LONG) @Schema(maxLength = 64) String role,
        Boolean isActive) {

    /** The reason an import gives for any field over its size. */
    static final String LONG = "email (254), password_hash (1024) or role (64) is too long";

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
