package io.triggerdeploy.user;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.OffsetDateTime;

/** A user as the API shows it (never the password hash). */
@RegisterForReflection
public record UserView(long id, String username, String email, String role, boolean active,
                       OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime lastLoginAt, boolean totpEnabled) {

    public static UserView of(User u) {
        return new UserView(u.id, u.username, u.email, u.role.id(), u.active, u.createdAt, u.updatedAt, u.lastLoginAt,
                u.totpEnabled);
    }
}
