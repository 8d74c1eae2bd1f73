package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.security.SecretsConfig;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Oathtool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key rotation: the service runs with a new key and the old one as previous; a two-factor secret sealed under the
 * old key still signs in, and the re-encryption endpoint moves it to the new key.
 */
@QuarkusTest
@TestProfile(KeysProfile.class) // the new key and the old one as previous
class TotpKeyRotationTest extends ApiTest {

    static final Path OLD_KEY = KeysProfile.OLD_SECRETS_KEY;
    static final Path NEW_KEY = KeysProfile.NEW_SECRETS_KEY;

    /** The box an earlier release of this installation sealed with: the old key only. */
    static SecretBox oldBox() {
        return new SecretBox(new SecretsConfig() {
            @Override
            public Optional<Path> keyFile() {
                return Optional.of(OLD_KEY);
            }

            @Override
            public Optional<Path> previousKeyFile() {
                return Optional.empty();
            }
        });
    }

    @Test
    void aSecretSealedUnderTheOldKeyStillSignsInAndIsResealedUnderTheNewOne() throws Exception {
        String name = unique("rot");
        long id = createUser(adminToken(), name, "rotate-pass-1", "operator");
        byte[] secret = new byte[20];
        new SecureRandom().nextBytes(secret);
        String base32 = Totp.base32(secret);
        String sealedOld = oldBox().seal("totp:" + id, base32);
        update("UPDATE users SET totp_secret = '" + sealedOld + "', totp_enabled = TRUE WHERE id = " + id);

        TotpTest.login(name, "rotate-pass-1", Oathtool.code(base32, 0)).then().statusCode(200);
        int moved = given().auth().oauth2(adminToken()).post("/api/admin/secrets/reencrypt").then().statusCode(200).extract()
                .path("two_factor_secrets");
        assertThat(moved).isGreaterThanOrEqualTo(1);
        String sealedNew = queryString("SELECT totp_secret FROM users WHERE id = " + id);
        assertThat(sealedNew).isNotEqualTo(sealedOld);
        // the old key alone can no longer open it; the service (new key) still can
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> oldBox().open("totp:" + id, sealedNew))
                .isInstanceOf(SecretBox.SecretUnavailable.class);
        TotpTest.login(name, "rotate-pass-1", Oathtool.code(base32, 30)).then().statusCode(200);
    }
}
