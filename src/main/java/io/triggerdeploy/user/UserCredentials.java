package io.triggerdeploy.user;

import io.triggerdeploy.security.Role;

/** What a login needs of a user: who, the stored hash, whether active, and the credentials generation. */
public record UserCredentials(long id, String username, Role role, String hash, boolean active, int generation,
                              boolean totpEnabled) {
}
