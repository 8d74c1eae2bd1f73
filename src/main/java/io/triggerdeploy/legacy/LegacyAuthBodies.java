package io.triggerdeploy.legacy;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;

/** What the old tool's sign-in routes ({@link LegacyAuthResource}) read and answer, in its shapes. */
public final class LegacyAuthBodies {

    private LegacyAuthBodies() {
    }

    /** The body of the token checks. */
    public record TokenBody(@Schema(maxLength = 8192) String token) {
        @Override
        public String toString() {
            return "TokenBody[]"; // never the token
        }
    }

    /** The old login page's form. */
    @Schema(name = "LegacyLoginForm")
    public record LoginForm(@Schema(required = true, maxLength = 254) String username,
                            @Schema(required = true, maxLength = 1024) String password,
                            @Schema(description = "any non-empty value: a longer-lived token") String rememberMe) {
    }

    /** The token checks' answer. */
    public record Verified(boolean valid, LegacyUser user, OffsetDateTime expires) {
    }

    /** The user as the old tool's token checks and status described it. */
    public record LegacyUser(@Schema(nullable = true, description = "null for the shared deploy token") Long id,
                             @Schema(nullable = true, description = "null for the shared deploy token") Long userId,
                             String username,
                             @Schema(nullable = true, description = "null when the account has none") String email,
                             String role, String authType) {
    }

    /** {@code GET /auth/status}'s answer. */
    @Schema(name = "AuthStatus")
    public record Status(boolean authenticated, LegacyUser user) {
    }

    /** The logout answer for JSON callers. */
    public record LoggedOut(boolean success, String message, String redirect) {
    }
}
