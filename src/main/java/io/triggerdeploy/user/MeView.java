package io.triggerdeploy.user;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/** The calling user, for {@code GET /api/me}. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeView(Long id, String username, String email, String role, boolean active, String authType,
                     OffsetDateTime lastLoginAt) {
}
