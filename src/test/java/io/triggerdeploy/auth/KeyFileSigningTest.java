package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.Base64;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys supplied as files (a Kubernetes Secret) sign the tokens instead of the database key pair. */
@QuarkusTest
@TestProfile(KeysProfile.class) // the signing pair as files
class KeyFileSigningTest extends ApiTest {

    static final KeyPair PAIR = KeysProfile.JWT_PAIR;

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
