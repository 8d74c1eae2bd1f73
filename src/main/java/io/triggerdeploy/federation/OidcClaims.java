package io.triggerdeploy.federation;

import io.triggerdeploy.common.ProblemException;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

import java.util.ArrayList;
import java.util.List;

/** What a verified token of the identity provider says about its holder: subject, username, email, groups. */
final class OidcClaims {

    private OidcClaims() {
    }

    /** The holder as an external identity, read from the claims the configuration names. */
    static ExternalIdentity identity(JwtClaims claims, OidcConfig config) {
        try {
            String username = text(claims.getClaimValue(config.usernameClaim()));
            String email = text(claims.getClaimValue(config.emailClaim()));
            List<String> groups = new ArrayList<>();
            Object raw = claims.getClaimValue(config.groupsClaim());
            if (raw instanceof List<?> list) {
                for (Object g : list) {
                    if (g != null) {
                        groups.addAll(groupNames(g.toString()));
                    }
                }
            } else if (raw instanceof String s) {
                groups.addAll(groupNames(s));
            }
            return new ExternalIdentity(ExternalIdentity.Source.OIDC, claims.getSubject(), username, email, groups);
        } catch (MalformedClaimException e) {
            throw ProblemException.unauthorized("The identity provider's token has no subject");
        }
    }

    /**
     * The names a group of the provider maps by: its full path ({@code /parent/child} maps only as that path, so a
     * {@code child} elsewhere in the provider never maps like it), and for a top-level group ({@code /ops}) or a plain
     * name also the bare name ({@code ops}).
     */
    static List<String> groupNames(String group) {
        if (group.startsWith("/") && group.length() > 1 && group.indexOf('/', 1) < 0) {
            return List.of(group, group.substring(1));
        }
        return List.of(group);
    }

    private static String text(Object claim) {
        return claim == null ? null : claim.toString();
    }
}
