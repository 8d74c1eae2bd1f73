package io.triggerdeploy.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a grant allows on an environment or a server. {@code manage} implies the other three; {@code deploy} and
 * {@code approve} each imply {@code view}.
 */
public enum Permission {
    VIEW, DEPLOY, APPROVE, MANAGE;

    /** The lower-case name used in the API and the database. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Permission> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id().equals(v)).findFirst();
    }
}
