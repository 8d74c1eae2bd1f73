package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import io.triggerdeploy.support.ApiTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
class LoginResourceTest extends ApiTest {

    @Inject
    SigningKeys keys;

    @Test
    void loginReturnsTheOldToolsContract() throws Exception {
        Response r = given().contentType(ContentType.JSON)
                .body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD))
                .post("/api/login");
        r.then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("token_type", equalTo("Bearer"))
                .body("token", notNullValue())
                .body("user.username", equalTo(ADMIN))
                .body("user.role", equalTo("admin"))
                .body("user.id", notNullValue());
        OffsetDateTime expires = OffsetDateTime.parse(r.path("expires_at"));
        assertThat(Duration.between(OffsetDateTime.now(), expires).toMinutes()).isBetween(470L, 481L);
        assertThat(queryString("SELECT last_login_at FROM users WHERE username = 'admin'")).isNotNull();

        given().auth().oauth2(r.path("token")).get("/api/me").then().statusCode(200)
                .body("username", equalTo(ADMIN)).body("role", equalTo("admin")).body("auth_type", equalTo("password"));
    }

    @Test
    void loginByEmailAnyCase() {
        String admin = adminToken();
        String name = unique("mail");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", name, "email", name + "@Example.org", "password", "pass-word-1", "role", "viewer"))
                .post("/api/users").then().statusCode(201);
        given().contentType(ContentType.JSON).body(Map.of("username", name.toUpperCase() + "@EXAMPLE.ORG", "password", "pass-word-1"))
                .post("/api/login").then().statusCode(200).body("user.username", equalTo(name)).body("user.role", equalTo("viewer"));
    }

    @Test
    void wrongPasswordUnknownUserAndInactiveUserLookAlike() throws Exception {
        String admin = adminToken();
        String name = unique("inact");
        long id = createUser(admin, name, "right-pass-1", "operator");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch("/api/users/" + id).then().statusCode(200).body("active", equalTo(false));

        Response wrong = attempt(ADMIN, "not-the-password");
        Response unknown = attempt(unique("ghost"), "whatever-123");
        Response inactive = attempt(name, "right-pass-1");
        for (Response r : new Response[]{wrong, unknown, inactive}) {
            r.then().statusCode(401).contentType("application/problem+json");
        }
        assertThat(unknown.asString()).isEqualTo(wrong.asString());
        assertThat(inactive.asString()).isEqualTo(wrong.asString());
        assertThat(wrong.asString()).doesNotContain("not-the-password");
    }

    @Test
    void malformedInputIs400AndNeverA500() {
        given().contentType(ContentType.JSON).body("{\"username\": ").post("/api/login")
                .then().statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
        given().contentType(ContentType.JSON).post("/api/login")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("username", "admin"))
                .post("/api/login").then().statusCode(400).body("violations[0].field", equalTo("password"));
        given().contentType(ContentType.JSON).body("[1,2]").post("/api/login").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("username", 5, "password", Map.of("a", 1)))
                .post("/api/login").then().statusCode(400);
        given().contentType(ContentType.TEXT).body("username=admin").post("/api/login").then().statusCode(415)
                .contentType("application/problem+json");
    }

    @Test
    void missingExpiredTamperedAndForeignTokensAre401() {
        given().get("/api/me").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer not-a-jwt").get("/api/me").then().statusCode(401);

        String good = adminToken();
        String[] parts = good.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"admin\"", "\"viewer\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
        given().auth().oauth2(tampered).get("/api/me").then().statusCode(401);

        SigningKeys.Key key = keys.shared().orElseThrow();
        long adminId = given().auth().oauth2(good).get("/api/me").then().extract().<Number>path("id").longValue();
        String expired = Jwt.issuer(SigningKeys.ISSUER).upn(ADMIN).groups(Set.of("admin")).claim("role", "admin")
                .claim("uid", adminId).issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(60))
                .jws().keyId(key.kid()).sign(key.privateKey());
        given().auth().oauth2(expired).get("/api/me").then().statusCode(401);

        KeyPair other = SigningKeys.generate();
        String forged = Jwt.issuer(SigningKeys.ISSUER).upn(ADMIN).groups(Set.of("admin")).claim("role", "admin")
                .claim("uid", adminId).expiresAt(Instant.now().plusSeconds(600))
                .jws().keyId(key.kid()).sign(other.getPrivate());
        given().auth().oauth2(forged).get("/api/me").then().statusCode(401);

        // the same claims signed with the real key are accepted: the rejections above are about the token
        String valid = Jwt.issuer(SigningKeys.ISSUER).upn(ADMIN).groups(Set.of("admin")).claim("role", "admin")
                .claim("uid", adminId).expiresAt(Instant.now().plusSeconds(600))
                .jws().keyId(key.kid()).sign(key.privateKey());
        given().auth().oauth2(valid).get("/api/me").then().statusCode(200);
    }

    @Test
    void aTokenExpiredSecondsAgoIsRefused() {
        String good = adminToken();
        long adminId = given().auth().oauth2(good).get("/api/me").then().extract().<Number>path("id").longValue();
        SigningKeys.Key key = keys.shared().orElseThrow();
        // smallrye's default leeway would accept this for another 50 s; ours is 5 s
        String justExpired = Jwt.issuer(SigningKeys.ISSUER).upn(ADMIN).groups(Set.of("admin")).claim("role", "admin")
                .claim("uid", adminId).issuedAt(Instant.now().minusSeconds(600)).expiresAt(Instant.now().minusSeconds(10))
                .jws().keyId(key.kid()).sign(key.privateKey());
        given().auth().oauth2(justExpired).get("/api/me").then().statusCode(401);
    }

    @Test
    void aTokenAcceptedBeforeIsRefusedOnceItExpires() {
        String good = adminToken();
        long adminId = given().auth().oauth2(good).get("/api/me").then().extract().<Number>path("id").longValue();
        SigningKeys.Key key = keys.shared().orElseThrow();
        // valid for 1 s more than the 5 s skew: accepted (and remembered as verified), then refused after expiry
        Instant exp = Instant.now().plusSeconds(1);
        String shortLived = Jwt.issuer(SigningKeys.ISSUER).upn(ADMIN).groups(Set.of("admin")).claim("role", "admin")
                .claim("uid", adminId).issuedAt(Instant.now()).expiresAt(exp)
                .jws().keyId(key.kid()).sign(key.privateKey());
        given().auth().oauth2(shortLived).get("/api/me").then().statusCode(200);
        given().auth().oauth2(shortLived).get("/api/me").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).pollInterval(java.time.Duration.ofMillis(250))
                .until(() -> Instant.now().isAfter(exp.plusSeconds(6)));
        given().auth().oauth2(shortLived).get("/api/me").then().statusCode(401);
    }

    @Test
    void aTokenOfAReplacedSigningKeyIsRefusedEvenAfterItWasAccepted() throws Exception {
        SigningKeys ring = new SigningKeys(new com.fasterxml.jackson.databind.ObjectMapper(), 5);
        KeyPair first = SigningKeys.generate();
        ring.useShared("k1", first.getPrivate(), first.getPublic());
        String token = Jwt.issuer(SigningKeys.ISSUER).upn("someone").claim("role", "viewer")
                .expiresAt(Instant.now().plusSeconds(600)).jws().keyId("k1").sign(first.getPrivate());
        assertThat(ring.verify(token).jwt().getName()).isEqualTo("someone");
        assertThat(ring.verify(token).jwt().getName()).isEqualTo("someone");
        KeyPair second = SigningKeys.generate();
        ring.useShared("k1", second.getPrivate(), second.getPublic()); // same kid, other key: the old signature fails
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ring.verify(token))
                .isInstanceOf(io.smallrye.jwt.auth.principal.ParseException.class);
    }

    @Test
    void repeatedFailuresAreThrottledWithRetryAfter() throws Exception {
        String admin = adminToken();
        String name = unique("brute");
        createUser(admin, name, "real-pass-99", "viewer");
        for (int i = 0; i < 5; i++) {
            attempt(name, "guess-" + i).then().statusCode(401);
        }
        Response blocked = attempt(name, "real-pass-99");
        blocked.then().statusCode(429).contentType("application/problem+json");
        assertThat(Integer.parseInt(blocked.header("Retry-After"))).isBetween(1, 300);
        // a different user from the same address is not affected
        login(ADMIN, ADMIN_PASSWORD);
        // the lock lives in PostgreSQL, where every replica sees it
        assertThat(queryLong("SELECT count(*) FROM login_throttle WHERE throttle_key = 'u:" + name.toLowerCase()
                + "' AND blocked_until > now()")).isEqualTo(1);
        update("UPDATE login_throttle SET blocked_until = now() - interval '1 second', failures = 0 WHERE throttle_key IN ('u:"
                + name.toLowerCase() + "', (SELECT 'id:' || id FROM users WHERE username = '" + name + "'))");
        login(name, "real-pass-99");
    }

    @Test
    void everyNameAnAccountAnswersToSharesOneAllowance() throws Exception {
        String admin = adminToken();
        String name = unique("alias");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", name, "email", name + "@example.org", "password", "alias-pass-1", "role", "viewer"))
                .post("/api/users").then().statusCode(201);
        // username, email and their re-cased forms are one account: five failures among them, not five each
        attempt(name, "guess-1").then().statusCode(401);
        attempt(name.toUpperCase(), "guess-2").then().statusCode(401);
        attempt(name + "@example.org", "guess-3").then().statusCode(401);
        attempt(name.toUpperCase() + "@EXAMPLE.ORG", "guess-4").then().statusCode(401);
        attempt(name + "@Example.Org", "guess-5").then().statusCode(401);
        attempt(name, "alias-pass-1").then().statusCode(429);
        attempt(name + "@example.org", "alias-pass-1").then().statusCode(429);

        // before a name resolves, its full-width form counts against the same (NFKC-folded) name
        String other = unique("wide");
        StringBuilder wide = new StringBuilder();
        other.chars().forEach(ch -> wide.appendCodePoint(ch >= '!' && ch <= '~' ? ch - '!' + 0xFF01 : ch));
        for (int i = 0; i < 5; i++) {
            attempt(wide.toString(), "guess-" + i).then().statusCode(401);
        }
        attempt(other, "anything").then().statusCode(429);
    }

    private static Response attempt(String username, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password)).post("/api/login");
    }
}
