package io.triggerdeploy.user;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/** The calling user, for {@code GET /api/me}. */
@RegisterForReflection
public record MeView(Long id, String username, String email, String role, boolean active, String authType,
                     OffsetDateTime lastLoginAt) {
}
