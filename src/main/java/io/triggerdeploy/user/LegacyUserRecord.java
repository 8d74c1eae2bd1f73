package io.triggerdeploy.user;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.security.Role;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One row of the Flask tool's {@code users} table, as exported to JSON. Roles map as
 * superadmin/admin → admin, user/operator → operator, viewer (and anything else) → viewer. Its rules are the row's:
 * a row that breaks one is skipped and reported, the others are imported ({@link #problem()}), so the API document
 * states them in words rather than as constraints that would refuse the whole file.
 */
@RegisterForReflection
@Schema(description = "A row that breaks a rule is skipped and listed in the answer's `skipped`; the others are imported")
public record LegacyUserRecord(
        @Schema(description = "3-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit") String username,
        @Schema(nullable = true, description = "At most 254 characters; none is fine") String email,
        @Schema(description = "The old tool's Werkzeug pbkdf2 or scrypt hash, at most 1024 characters") String passwordHash,
        @Schema(description = "superadmin/admin, user/operator/deployer or viewer (others read as viewer); at most 64 "
                + "characters") String role,
        Boolean isActive) {

    /** The reason an import gives for any field over its size. */
    static final String LONG = "email (254), password_hash (1024) or role (64) is too long";
    private static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile(UserRules.USERNAME_PATTERN);

    /** Why this row cannot be imported (the username first), or null when it can. */
    public String problem() {
        if (username == null || !USERNAME.matcher(username).matches()) {
            return "invalid username";
        }
        if (email != null && email.length() > 254 || passwordHash != null && passwordHash.length() > 1024
                || role != null && role.length() > 64) {
            return LONG;
        }
        return null;
    }

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
