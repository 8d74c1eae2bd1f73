package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys supplied as files (a Kubernetes Secret) sign the tokens instead of the database key pair. */
@QuarkusTest
@TestProfile(KeyFileSigningTest.KeyFiles.class)
class KeyFileSigningTest extends ApiTest {

    static final Path DIR;
    static final KeyPair PAIR = SigningKeys.generate();

    static {
        try {
            DIR = Files.createTempDirectory("trigger-keys");
            Files.writeString(DIR.resolve("private.pem"), SigningKeys.toPem("PRIVATE KEY", PAIR.getPrivate().getEncoded()));
            Files.writeString(DIR.resolve("public.pem"), SigningKeys.toPem("PUBLIC KEY", PAIR.getPublic().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points the key settings at the files written above. */
    public static class KeyFiles implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trigger.auth.jwt.private-key-file", DIR.resolve("private.pem").toString(),
                    "trigger.auth.jwt.public-key-file", DIR.resolve("public.pem").toString());
        }
    }

    @Test
    void tokensAreSignedWithTheKeyFromTheFiles() throws Exception {
        String token = adminToken();
        String header = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        assertThat(header).contains("\"kid\":\"" + SigningKeys.thumbprint(PAIR.getPublic()) + "\"");
        // anyone holding the public key file can verify it
        var jwt = new DefaultJWTParser(new JWTAuthContextInfo(PAIR.getPublic(), SigningKeys.ISSUER)).parse(token);
        assertThat(jwt.getName()).isEqualTo(ADMIN);
        given().auth().oauth2(token).get("/api/me").then().statusCode(200);
    }
}
