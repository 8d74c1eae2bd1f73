package io.triggerdeploy.federation;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A group maps by its full place in the provider: a group of the same name elsewhere never maps like it. */
class GroupNamesTest {

    @Test
    void oidcGroupPathsMapWhole() {
        assertThat(OidcClaims.groupNames("/ops")).containsExactly("/ops", "ops");
        assertThat(OidcClaims.groupNames("ops")).containsExactly("ops");
        // a nested group of the same last name is not "ops"
        assertThat(OidcClaims.groupNames("/contractors/ops")).containsExactly("/contractors/ops");
        assertThat(OidcClaims.groupNames("/")).containsExactly("/");
    }

    @Test
    void ldapMemberOfCountsOnlyUnderTheGroupBaseOrByItsWholeDn() {
        Optional<String> base = Optional.of("ou=groups,dc=example,dc=test");
        assertThat(LdapDirectory.memberOfName("cn=ops,ou=groups,dc=example,dc=test", base)).isEqualTo("ops");
        assertThat(LdapDirectory.memberOfName("CN=ops, OU=Groups,DC=example,DC=test", base)).isEqualTo("ops");
        assertThat(LdapDirectory.memberOfName("cn=ops,ou=contractors,dc=example,dc=test", base)).isNull();
        assertThat(LdapDirectory.memberOfName("ou=groups,dc=example,dc=test", base)).isNull();
        assertThat(LdapDirectory.memberOfName("cn=ops,ou=groups,dc=other,dc=test", base)).isNull();
        // no base: the whole DN, normalised
        assertThat(LdapDirectory.memberOfName("CN=ops, OU=Contractors,DC=example,DC=test", Optional.empty()))
                .isEqualTo("cn=ops,ou=Contractors,dc=example,dc=test");
        assertThat(LdapDirectory.memberOfName("not a dn", Optional.empty())).isNull();
    }
}
