package io.triggerdeploy.auth;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;

/** A successful login: the bearer token and who it belongs to. */
public record LoginResponse(String token, String tokenType, OffsetDateTime expiresAt, LoginUser user) {

    /** The logged-in user, as the old tool returned it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LoginUser(Long id, String username, String role, Boolean breakGlass) {
    }
}
