package io.triggerdeploy.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/**
 * A successful login: the bearer token and who it belongs to, with the fields the old tool's clients test
 * ({@code success}, {@code message}, {@code redirect}, {@code token_expires}).
 */
@RegisterForReflection
public record LoginResponse(boolean success, String token, String tokenType, OffsetDateTime expiresAt,
                            OffsetDateTime tokenExpires, LoginUser user, String message, String redirect,
                            @JsonInclude(JsonInclude.Include.NON_NULL) java.util.List<String> recoveryCodes) {

    /** Where the old tool sent a browser after logging in. */
    public static final String REDIRECT = "/dashboard";

    static LoginResponse of(TokenIssuer.IssuedToken t, LoginUser user) {
        return new LoginResponse(true, t.token(), "Bearer", t.expiresAt(), t.expiresAt(), user,
                "Logged in as " + user.username(), REDIRECT, null);
    }

    /** The same with the recovery codes of a second factor set up by this login (shown this once). */
    LoginResponse withRecoveryCodes(java.util.List<String> codes) {
        return new LoginResponse(success, token, tokenType, expiresAt, tokenExpires, user, message, redirect, codes);
    }

    /** The logged-in user, as the old tool returned it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record LoginUser(Long id, String username, String role, Boolean breakGlass) {
    }
}
