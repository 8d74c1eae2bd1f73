package io.triggerdeploy.auth;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Credentials for {@code POST /api/login}; {@code username} may also be the user's email. */
public record LoginRequest(@NotBlank @Size(max = 254) String username,
                           @NotBlank @Size(max = 1024) String password) {

    @Override
    public String toString() {
        return "LoginRequest[username=" + username + "]"; // never the password
    }
}
