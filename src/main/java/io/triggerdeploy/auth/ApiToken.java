package io.triggerdeploy.auth;

import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.RoleConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A named, expiring machine credential owned by a user; only a hash of the secret is kept. */
@Entity
@Table(name = "api_tokens")
public class ApiToken {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "user_id", nullable = false)
    public Long userId;

    @Column(nullable = false, length = 100)
    public String name;

    @Column(name = "token_hash", nullable = false, length = 64)
    public String tokenHash;

    /** The first characters of the secret, so a user can tell tokens apart. */
    @Column(name = "token_prefix", nullable = false, length = 16)
    public String tokenPrefix;

    @Convert(converter = RoleConverter.class)
    @Column(nullable = false, length = 16)
    public Role role;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "last_used_at")
    public OffsetDateTime lastUsedAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;
}
