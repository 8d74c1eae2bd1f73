package io.triggerdeploy.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/** An API token as listed (never the secret, except once in {@link #token} right after creation). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record ApiTokenView(long id, long userId, String name, String tokenPrefix, String role,
                           OffsetDateTime createdAt, OffsetDateTime expiresAt, OffsetDateTime lastUsedAt,
                           OffsetDateTime revokedAt, Boolean active, String token) {

    static ApiTokenView of(ApiToken t, String secret) {
        boolean live = t.revokedAt == null && t.expiresAt.isAfter(OffsetDateTime.now());
        return new ApiTokenView(t.id, t.userId, t.name, t.tokenPrefix, t.role.id(), t.createdAt, t.expiresAt,
                t.lastUsedAt, t.revokedAt, live, secret);
    }
}
