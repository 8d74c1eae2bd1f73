package io.triggerdeploy.user;

import io.triggerdeploy.security.Role;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A person (or machine owner) who can log in. */
@Entity
@Table(name = "users")
public class User {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 64)
    public String username;

    @Column(length = 254)
    public String email;

    @Column(name = "password_hash", nullable = false, length = 512)
    public String passwordHash;

    @Convert(converter = RoleConverter.class)
    @Column(nullable = false, length = 16)
    public Role role;

    @Column(nullable = false)
    public boolean active = true;

    /** Whether two-factor sign-in is on; written only by the TOTP service's own SQL, never through this entity. */
    @Column(name = "totp_enabled", insertable = false, updatable = false)
    public boolean totpEnabled;

    @Column(name = "created_at", nullable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    /** Moves on when the user's login tokens must stop working (see 0012-credentials.xml). */
    @Column(name = "token_generation", nullable = false)
    public int tokenGeneration;

    @Column(name = "last_login_at")
    public OffsetDateTime lastLoginAt;

    /** local, oidc or ldap; written only by the sign-in through a provider (see 0026-federated-sign-in.xml). */
    @Column(insertable = false, updatable = false)
    public String source;

    /** The provider's groups at the last sign-in; null for local users. */
    @Column(name = "external_groups", insertable = false, updatable = false, columnDefinition = "text[]")
    public String[] externalGroups;
}
