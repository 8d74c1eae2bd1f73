package io.triggerdeploy.auth;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Credentials for {@code POST /api/login} (and the old tool's {@code /api/auth/login}, {@code /auth/login});
 * {@code username} may also be the user's email. {@code remember_me} is accepted for the old clients; token
 * and session lifetimes are the configured ones either way.
 */
public record LoginRequest(@NotBlank @Size(max = 254) String username,
                           @NotBlank @Size(max = 1024) String password,
                           Boolean rememberMe,
                           @Size(max = 64) String totp) {

    public LoginRequest(String username, String password) {
        this(username, password, null, null);
    }

    public LoginRequest(String username, String password, Boolean rememberMe) {
        this(username, password, rememberMe, null);
    }

    @Override
    public String toString() {
        return "LoginRequest[username=" + username + "]"; // never the password
    }
}
