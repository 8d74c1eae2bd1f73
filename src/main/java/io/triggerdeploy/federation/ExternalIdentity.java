package io.triggerdeploy.federation;

import java.util.List;

/**
 * Who an identity provider says signed in: its stable id for the person ({@code subject}: the OIDC subject or the LDAP
 * entry's DN), the name and email to show, and the provider's groups.
 */
public record ExternalIdentity(Source source, String subject, String username, String email, List<String> groups) {

    /** Where a user comes from; {@code local} users have a password here. */
    public enum Source {
        LOCAL("local"), OIDC("oidc"), LDAP("ldap");

        private final String id;

        Source(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Source of(String id) {
            for (Source s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            return LOCAL;
        }
    }
}
