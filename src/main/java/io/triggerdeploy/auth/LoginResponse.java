package io.triggerdeploy.auth;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;

/** A successful login: the bearer token and who it belongs to. */
@RegisterForReflection
public record LoginResponse(String token, String tokenType, OffsetDateTime expiresAt, LoginUser user) {

    /** The logged-in user, as the old tool returned it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record LoginUser(Long id, String username, String role, Boolean breakGlass) {
    }
}
