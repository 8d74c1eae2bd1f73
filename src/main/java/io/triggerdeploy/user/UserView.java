package io.triggerdeploy.user;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/**
 * A user as the API shows it (never the password hash); {@code source} says who checks their sign-in: {@code local}
 * (a password here), {@code oidc} or {@code ldap} (the identity provider, with {@code groups} as it last said).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserView(long id, String username, String email, String role, boolean active,
                       OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime lastLoginAt, boolean totpEnabled,
                       String source, java.util.List<String> groups) {

    public static UserView of(User u) {
        return new UserView(u.id, u.username, u.email, u.role.id(), u.active, u.createdAt, u.updatedAt, u.lastLoginAt,
                u.totpEnabled, u.source, u.externalGroups == null ? null : java.util.List.of(u.externalGroups));
    }

    public boolean local() {
        return "local".equals(source);
    }
}
