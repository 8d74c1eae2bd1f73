package io.triggerdeploy.security;

import io.quarkus.elytron.security.common.BcryptUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Hash formats: bcrypt, and the Werkzeug pbkdf2/scrypt hashes of the old tool (vectors made with Python's hashlib). */
class PasswordHasherTest {

    static final String PBKDF2 = "pbkdf2:sha256:1000$abcSALT123$8619840abfeaa7800c079e67ccfafbbae1c737eed0f42196faa58e4f59c442b0";
    static final String PBKDF2_DEFAULT = "pbkdf2:sha256:600000$Xy7Qz1$4a6adba9f434452bdc25c9bd51763794630780b963d76c7b2d8fc2fb86608980";
    static final String PBKDF2_UNICODE = "pbkdf2:sha256:1000$ünï$7e36ffa529031e179a80c01f0db8b8713571d3fd307277e2fdaa8a3605a2995c";
    static final String SCRYPT = "scrypt:32768:8:1$s4ltS4lt$6bd22b610e05ac360f0b6727fe01ebbbf029b0dc1e56672338bd822f442f68e8fe7f3bc5c9c9d8bd6151f634fe54302d8b0c3bea57fdab1f5b5a90f07145291a";

    private final PasswordHasher hasher = new PasswordHasher(6);

    @Test
    void werkzeugPbkdf2() {
        assertThat(hasher.check("correct horse", PBKDF2)).isEqualTo(new PasswordHasher.Check(true, true));
        assertThat(hasher.check("correct horsE", PBKDF2).matches()).isFalse();
        assertThat(hasher.check("legacy-pass", PBKDF2_DEFAULT).matches()).isTrue();
        assertThat(hasher.check("pässwörd", PBKDF2_UNICODE).matches()).isTrue();
    }

    @Test
    void werkzeugScrypt() {
        assertThat(hasher.check("scrypt-pass", SCRYPT)).isEqualTo(new PasswordHasher.Check(true, true));
        assertThat(hasher.check("scrypt-pasS", SCRYPT).matches()).isFalse();
    }

    @Test
    void bcryptVariantsAndCostUpgrade() {
        String cheap = BcryptUtil.bcryptHash("pw-12345", 4);
        assertThat(hasher.check("pw-12345", cheap)).isEqualTo(new PasswordHasher.Check(true, true));
        assertThat(hasher.check("pw-12345", "$2y$" + cheap.substring(4)).matches()).isTrue();
        assertThat(hasher.check("pw-12345", "$2b$" + cheap.substring(4)).matches()).isTrue();
        String current = hasher.hash("pw-12345");
        assertThat(current).startsWith("$2a$06$");
        assertThat(hasher.check("pw-12345", current)).isEqualTo(new PasswordHasher.Check(true, false));
        assertThat(hasher.check("pw-1234", current).matches()).isFalse();
    }

    @Test
    void malformedHashesNeverMatchAndNeverThrow() {
        for (String bad : new String[]{"", "plain", "pbkdf2:sha256$x$y", "pbkdf2:md5:10$a$00", "scrypt:1:1$a$zz",
                "scrypt:99999999:8:1$a$00", "$2a$xx$garbage", "pbkdf2:sha256:1000$salt$nothex"}) {
            assertThat(hasher.check("anything", bad).matches()).as(bad).isFalse();
        }
        assertThat(PasswordHasher.isSupportedHash(PBKDF2)).isTrue();
        assertThat(PasswordHasher.isSupportedHash(SCRYPT)).isTrue();
        assertThat(PasswordHasher.isSupportedHash("md5$abc")).isFalse();
    }

    @Test
    void unknownUsersAreCheckedAgainstAHashOfTheConfiguredCost() throws Exception {
        for (int cost : new int[]{4, 10, 12, 14}) {
            String dummy = PasswordHasher.dummyHash(cost);
            // what BcryptUtil.matches decodes: the cost it will spend is the iteration count of this password
            var decoded = (org.wildfly.security.password.interfaces.BCryptPassword)
                    org.wildfly.security.password.util.ModularCrypt.decode(dummy);
            assertThat(decoded.getIterationCount()).as(dummy).isEqualTo(cost);
            assertThat(PasswordHasher.bcryptCost(dummy)).isEqualTo(cost);
        }
        String dummy = PasswordHasher.dummyHash(6);
        assertThat(BcryptUtil.matches("not-a-real-password-", dummy)).isFalse();
        assertThat(new PasswordHasher(6).burn("anything")).isFalse();
    }
}
