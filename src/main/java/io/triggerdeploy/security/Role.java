package io.triggerdeploy.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** User roles, ordered: an admin can do everything an operator can, an operator everything a viewer can. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public static final String ADMIN_NAME = "admin";
    public static final String OPERATOR_NAME = "operator";
    public static final String VIEWER_NAME = "viewer";

    /** The lower-case name used in the API, the database and tokens. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(Role other) {
        return ordinal() >= other.ordinal();
    }

    /** Security roles granted to an identity holding this role (its own and every lower one). */
    public Set<String> grantedRoles() {
        return Arrays.stream(values()).filter(this::atLeast).map(Role::id).collect(Collectors.toUnmodifiableSet());
    }

    public static Optional<Role> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(r -> r.id().equals(value.trim().toLowerCase(Locale.ROOT))).findFirst();
    }

    public static Role lower(Role a, Role b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
