package io.triggerdeploy.federation;

import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.support.TestSlapd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LDAP over TLS against slapd with a certificate from a test CA: {@code ldaps://} and StartTLS sign in when the CA file
 * is that CA, and a directory whose certificate does not chain to the configured CA is never sent a password (503).
 */
class LdapTlsTest {

    static TestSlapd slapd;

    @BeforeAll
    static void start() throws Exception {
        slapd = TestSlapd.start(true);
    }

    @AfterAll
    static void stop() throws Exception {
        if (slapd != null) {
            slapd.close();
        }
    }

    record Config(Optional<String> url, boolean startTls, Optional<Path> caFile) implements LdapConfig {
        @Override public Optional<String> bindDn() { return Optional.of(TestSlapd.READER_DN); }
        @Override public Optional<String> bindPassword() { return Optional.of(TestSlapd.READER_PASSWORD); }
        @Override public Optional<Path> bindPasswordFile() { return Optional.empty(); }
        @Override public Optional<String> userBaseDn() { return Optional.of(TestSlapd.SUFFIX); }
        @Override public String userFilter() { return "(uid={0})"; }
        @Override public String usernameAttribute() { return "uid"; }
        @Override public String emailAttribute() { return "mail"; }
        @Override public Optional<String> groupBaseDn() { return Optional.of("ou=groups," + TestSlapd.SUFFIX); }
        @Override public String groupFilter() { return "(member={0})"; }
        @Override public String groupNameAttribute() { return "cn"; }
        @Override public Optional<String> memberOfAttribute() { return Optional.empty(); }
        @Override public String defaultRole() { return "none"; }
        @Override public Duration connectTimeout() { return Duration.ofSeconds(3); }
        @Override public Duration readTimeout() { return Duration.ofSeconds(5); }
    }

    static ExternalIdentity signIn(Config config, String user, String password) {
        return new LdapDirectory(config).authenticate(user, password).await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void ldapsWithTheDirectorysCa() {
        ExternalIdentity lena = signIn(new Config(Optional.of(slapd.tlsUrl()), false, Optional.of(slapd.caFile())), "lena", "lena-pw-1");
        assertThat(lena.username()).isEqualTo("lena");
        assertThat(lena.groups()).containsExactlyInAnyOrder("ops", "release-managers");
        assertThat(signIn(new Config(Optional.of(slapd.tlsUrl()), false, Optional.of(slapd.caFile())), "lena", "wrong")).isNull();
    }

    @Test
    void startTlsWithTheDirectorysCa() {
        ExternalIdentity lars = signIn(new Config(Optional.of(slapd.url()), true, Optional.of(slapd.caFile())), "lars", "lars-pw-1");
        assertThat(lars.subject()).isEqualTo("uid=lars,ou=people,dc=example,dc=test");
        assertThat(lars.groups()).containsExactly("viewers");
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedBeforeAnyPassword() throws Exception {
        Path other = slapd.otherCaFile();
        assertThatThrownBy(() -> signIn(new Config(Optional.of(slapd.tlsUrl()), false, Optional.of(other)), "lena", "lena-pw-1"))
                .isInstanceOf(ProblemException.class).extracting(e -> ((ProblemException) e).status()).isEqualTo(503);
        assertThatThrownBy(() -> signIn(new Config(Optional.of(slapd.url()), true, Optional.of(other)), "lena", "lena-pw-1"))
                .isInstanceOf(ProblemException.class).extracting(e -> ((ProblemException) e).status()).isEqualTo(503);
    }
}
