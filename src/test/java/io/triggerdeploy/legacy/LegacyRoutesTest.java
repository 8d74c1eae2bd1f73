package io.triggerdeploy.legacy;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import io.triggerdeploy.auth.SigningKeys;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.TestLogs;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** The Flask tool's routes that its login page, scripts and monitors call. */
@QuarkusTest
class LegacyRoutesTest extends ApiTest {

    @Inject
    SigningKeys keys;

    @Test
    void healthAnswersInTheOldShape() {
        given().get("/health").then().statusCode(200).contentType(ContentType.JSON)
                .body("status", equalTo("healthy")).body("timestamp", notNullValue()).body("version", notNullValue())
                .body("reason", nullValue());
    }

    @Test
    void everyLoginRouteAnswersWithTheOldFieldsAndAWorkingToken() {
        for (String route : new String[]{"/api/auth/login", "/auth/login", "/api/login"}) {
            Response r = given().contentType(ContentType.JSON)
                    .body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD, "remember_me", true)).post(route);
            r.then().statusCode(200).contentType(ContentType.JSON)
                    .body("success", equalTo(true)).body("token", notNullValue()).body("token_type", equalTo("Bearer"))
                    .body("expires_at", notNullValue()).body("token_expires", notNullValue())
                    .body("user.username", equalTo(ADMIN)).body("user.role", equalTo("admin"))
                    .body("message", notNullValue()).body("redirect", equalTo("/dashboard"));
            assertThat(OffsetDateTime.parse(r.path("token_expires"))).isAfter(OffsetDateTime.now().plusHours(1));
            given().auth().oauth2(r.path("token")).get("/api/me").then().statusCode(200).body("username", equalTo(ADMIN));
        }
    }

    @Test
    void theLoginFormRouteAlsoGivesTheBrowserASession() {
        Response r = given().contentType(ContentType.URLENC).formParam("username", ADMIN).formParam("password", ADMIN_PASSWORD)
                .post("/auth/login");
        r.then().statusCode(200).body("success", equalTo(true)).body("token", notNullValue());
        String session = r.cookie("td_session");
        assertThat(session).isNotBlank();
        given().cookie("td_session", session).get("/auth/status").then().statusCode(200)
                .body("authenticated", equalTo(true)).body("user.auth_type", equalTo("session"));
        given().cookie("td_session", session).redirects().follow(false).get("/").then().statusCode(200);

        // a form posted from another site gets nothing
        given().contentType(ContentType.URLENC).header("Origin", "http://127.0.0.1:1").formParam("username", ADMIN)
                .formParam("password", ADMIN_PASSWORD).post("/auth/login").then().statusCode(403)
                .body("success", equalTo(false)).body("token", nullValue());
    }

    @Test
    void failuresSaySuccessFalseAndLookAlike() throws Exception {
        String name = unique("legacyfail");
        createUser(adminToken(), name, "right-pass-1", "viewer");
        Response wrong = given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "nope-nope"))
                .post("/api/auth/login");
        Response unknown = given().contentType(ContentType.JSON).body(Map.of("username", unique("ghost"), "password", "nope-nope"))
                .post("/api/auth/login");
        for (Response r : new Response[]{wrong, unknown}) {
            r.then().statusCode(401).contentType("application/problem+json").body("success", equalTo(false))
                    .body("status", equalTo(401)).body("title", equalTo("Unauthorized")).body("detail", notNullValue())
                    .body("instance", equalTo("/api/auth/login")).body("token", nullValue());
        }
        assertThat(wrong.<String>path("detail")).isEqualTo(unknown.path("detail"));
        assertThat(wrong.asString()).doesNotContain("nope-nope");
        given().contentType(ContentType.JSON).body(Map.of("username", ADMIN)).post("/auth/login").then().statusCode(400)
                .body("success", equalTo(false)).body("violations[0].field", equalTo("password"));
        given().contentType(ContentType.JSON).post("/api/auth/login").then().statusCode(400).body("success", equalTo(false));
        // the failure is audited like one at /api/login
        assertThat(queryLong("SELECT count(*) FROM audit_events WHERE action = 'login.failure' AND target = '" + name + "'"))
                .isEqualTo(1);
        assertThat(TestLogs.read(TestLogs.APP)).doesNotContain("nope-nope");
    }

    @Test
    void throttlingIsSharedWithApiLogin() throws Exception {
        String name = unique("legacybrute");
        createUser(adminToken(), name, "real-pass-99", "viewer");
        String[] routes = {"/api/auth/login", "/auth/login", "/api/login", "/api/auth/login", "/auth/login"};
        for (String route : routes) {
            given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "guess")).post(route)
                    .then().statusCode(401);
        }
        // five failures spread over three routes lock the user on all of them, the right password included
        for (String route : new String[]{"/api/login", "/api/auth/login", "/auth/login"}) {
            Response r = given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "real-pass-99")).post(route);
            r.then().statusCode(429);
            assertThat(r.header("Retry-After")).isNotBlank();
        }
        // the typed name and the account it resolved to are both counted
        update("UPDATE login_throttle SET blocked_until = now() - interval '1 second', failures = 0 WHERE throttle_key IN ('u:"
                + name.toLowerCase() + "', (SELECT 'id:' || id FROM users WHERE username = '" + name + "'))");
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "real-pass-99")).post("/api/auth/login")
                .then().statusCode(200).body("success", equalTo(true));
    }

    @Test
    void tokenChecksTellValidFromExpiredTamperedRevokedAndDeactivated() {
        String admin = adminToken();
        String name = unique("verify");
        long id = createUser(admin, name, "verify-pass-1", "operator");
        String jwt = login(name, "verify-pass-1");
        for (String route : new String[]{"/api/auth/verify", "/auth/verify-token"}) {
            given().contentType(ContentType.JSON).body(Map.of("token", jwt)).post(route).then().statusCode(200)
                    .body("valid", equalTo(true)).body("user.username", equalTo(name)).body("user.user_id", equalTo((int) id))
                    .body("user.role", equalTo("operator")).body("expires", notNullValue());
            given().auth().oauth2(jwt).post(route).then().statusCode(200).body("valid", equalTo(true));
            given().post(route).then().statusCode(400).body("valid", equalTo(false));
        }

        String[] parts = jwt.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        SigningKeys.Key key = keys.shared().orElseThrow();
        String expired = Jwt.issuer(SigningKeys.ISSUER).upn(name).groups(Set.of("operator")).claim("role", "operator")
                .claim("uid", id).issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(120))
                .jws().keyId(key.kid()).sign(key.privateKey());
        for (String bad : new String[]{tampered, expired, "not-a-token"}) {
            given().contentType(ContentType.JSON).body(Map.of("token", bad)).post("/api/auth/verify").then().statusCode(401)
                    .contentType("application/problem+json").body("valid", equalTo(false));
        }

        // API tokens: valid until revoked
        Response created = given().auth().oauth2(jwt).contentType(ContentType.JSON).body(Map.of("name", unique("ci")))
                .post("/api/tokens");
        String apiToken = created.path("token");
        given().contentType(ContentType.JSON).body(Map.of("token", apiToken)).post("/auth/verify-token").then().statusCode(200)
                .body("valid", equalTo(true)).body("user.auth_type", equalTo("api_token"));
        given().auth().oauth2(jwt).delete("/api/tokens/" + created.<Number>path("id")).then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("token", apiToken)).post("/auth/verify-token").then().statusCode(401)
                .body("valid", equalTo(false));

        // deactivating the user makes its login token invalid at once
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/users/" + id)
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("token", jwt)).post("/api/auth/verify").then().statusCode(401)
                .body("valid", equalTo(false));
    }

    @Test
    void statusSaysWhoIsSignedIn() {
        given().auth().oauth2(adminToken()).get("/auth/status").then().statusCode(200)
                .body("authenticated", equalTo(true)).body("user.username", equalTo(ADMIN));
        given().get("/auth/status").then().statusCode(401).body("authenticated", equalTo(false));
        given().auth().oauth2("garbage").get("/auth/status").then().statusCode(401).body("authenticated", equalTo(false));
    }

    @Test
    void logoutRoutesEndTheBrowserSessionAndAnswerEachCallerInItsWay() {
        String[][] routes = {{"GET", "/auth/logout"}, {"POST", "/auth/logout"}, {"POST", "/api/logout"}};
        for (String[] route : routes) {
            // a JSON caller of this site's pages gets JSON
            String session = browserSession();
            given().cookie("td_session", session).header("Sec-Fetch-Site", "same-origin").accept(ContentType.JSON)
                    .request(route[0], route[1]).then().statusCode(200).body("success", equalTo(true)).body("redirect", equalTo("/login"));
            given().cookie("td_session", session).get("/auth/status").then().statusCode(401);

            // a browser is sent to the login page (an older browser says where it comes from with Origin)
            String other = browserSession();
            given().cookie("td_session", other).header("Origin", "http://localhost:" + io.restassured.RestAssured.port)
                    .accept("text/html").redirects().follow(false).request(route[0], route[1])
                    .then().statusCode(303).header("Location", endsWith("/login"));
            given().cookie("td_session", other).get("/auth/status").then().statusCode(401);

            // another site's image, link or form (or a request that proves nothing) does not sign anyone out
            String target = browserSession();
            given().cookie("td_session", target).header("Sec-Fetch-Site", "cross-site").accept("text/html").redirects().follow(false)
                    .request(route[0], route[1]).then().statusCode(403);
            given().cookie("td_session", target).header("Origin", "http://attacker.invalid").accept(ContentType.JSON)
                    .request(route[0], route[1]).then().statusCode(403).contentType("application/problem+json");
            given().cookie("td_session", target).accept(ContentType.JSON).request(route[0], route[1]).then().statusCode(403);
            given().cookie("td_session", target).get("/auth/status").then().statusCode(200);
        }
        // nobody signed in: still a clean answer
        given().accept(ContentType.JSON).post("/api/logout").then().statusCode(200).body("success", equalTo(true));
    }

    @Test
    void oldPageAddressesLeadToTheirPagesHere() {
        Map<String, String> expected = Map.of("/dashboard", "/", "/home", "/", "/deploy-servers", "/",
                "/services-monitor", "/services", "/docs", "/q/swagger-ui/", "/docs/swagger", "/q/swagger-ui/");
        expected.forEach((from, to) -> {
            String location = given().redirects().follow(false).get(from).then().statusCode(302).extract().header("Location");
            assertThat(java.net.URI.create(location).getPath()).as(from).isEqualTo(to);
        });
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void tokensInQueryStringsStayOutOfTheLogs() {
        String jwt = adminToken();
        // clients that put credentials in the URL (as the old tool's did)
        given().queryParam("token", jwt).get("/auth/status").then().statusCode(401);
        given().queryParam("token", jwt).queryParam("password", "query-password-9").post("/api/auth/verify").then().statusCode(400);
        TestLogs.awaitAccessLogged("/api/auth/verify");
        TestLogs.assertNoneContains(jwt, "query-password-9");
    }

    private static String browserSession() {
        String session = given().contentType(ContentType.URLENC).formParam("username", ADMIN).formParam("password", ADMIN_PASSWORD)
                .post("/auth/login").then().statusCode(200).extract().cookie("td_session");
        given().cookie("td_session", session).get("/auth/status").then().statusCode(200);
        return session;
    }
}
