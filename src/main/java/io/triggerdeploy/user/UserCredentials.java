package io.triggerdeploy.user;

import io.triggerdeploy.security.Role;

/**
 * What a login needs of a user: who, the stored hash, whether active, the credentials generation, and where the user
 * comes from ({@code local}, {@code oidc}, {@code ldap}: only local users have a password here).
 */
public record UserCredentials(long id, String username, Role role, String hash, boolean active, int generation,
                              boolean totpEnabled, String source) {

    public boolean local() {
        return "local".equals(source);
    }
}
