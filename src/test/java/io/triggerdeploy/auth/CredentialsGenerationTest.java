package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** A login token ends when the user's credentials change: password reset or change, deactivation, sign-out everywhere. */
@QuarkusTest
class CredentialsGenerationTest extends ApiTest {

    private static String apiToken(String jwt) {
        return given().auth().oauth2(jwt).contentType(ContentType.JSON).body(Map.of("name", unique("t"), "expires_in_days", 30))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
    }

    @Test
    void anAdminPasswordResetEndsTheOldLoginTokenAndOptionallyTheApiTokens() throws Exception {
        String admin = adminToken();
        String name = unique("reset");
        long id = createUser(admin, name, "first-pass-1", "operator");
        String old = login(name, "first-pass-1");
        String api = apiToken(old);
        given().auth().oauth2(old).get("/api/me").then().statusCode(200);

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("password", "second-pass-2"))
                .post("/api/users/" + id + "/password").then().statusCode(204);
        given().auth().oauth2(old).get("/api/me").then().statusCode(401);
        // nor can it mint a long-lived API token any more
        given().auth().oauth2(old).contentType(ContentType.JSON).body(Map.of("name", unique("late"))).post("/api/tokens")
                .then().statusCode(401);
        // the API token is a separate credential: kept unless the reset asks otherwise
        given().auth().oauth2(api).get("/api/me").then().statusCode(200);
        String fresh = login(name, "second-pass-2");
        given().auth().oauth2(fresh).get("/api/me").then().statusCode(200);

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("password", "third-pass-3", "revoke_api_tokens", true))
                .post("/api/users/" + id + "/password").then().statusCode(204);
        given().auth().oauth2(api).get("/api/me").then().statusCode(401);
        given().auth().oauth2(fresh).get("/api/me").then().statusCode(401);
        assertThat(queryString("SELECT detail FROM audit_events WHERE action = 'user.password_reset' AND target = '" + name
                + "' ORDER BY id DESC LIMIT 1")).contains("1 API tokens revoked");
    }

    @Test
    void changingYourOwnPasswordEndsYourOldLoginTokens() {
        String admin = adminToken();
        String name = unique("own");
        createUser(admin, name, "own-pass-111", "viewer");
        String first = login(name, "own-pass-111");
        String second = login(name, "own-pass-111");
        given().auth().oauth2(first).contentType(ContentType.JSON)
                .body(Map.of("current_password", "own-pass-111", "new_password", "own-pass-222"))
                .put("/api/me/password").then().statusCode(204);
        given().auth().oauth2(first).get("/api/me").then().statusCode(401);
        given().auth().oauth2(second).get("/api/me").then().statusCode(401);
        given().auth().oauth2(login(name, "own-pass-222")).get("/api/me").then().statusCode(200);
    }

    @Test
    void reactivatingAUserBringsNoOldTokenBack() throws Exception {
        String admin = adminToken();
        String name = unique("react");
        long id = createUser(admin, name, "react-pass-1", "operator");
        String jwt = login(name, "react-pass-1");
        String api = apiToken(jwt);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/users/" + id)
                .then().statusCode(200);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", true)).patch("/api/users/" + id)
                .then().statusCode(200);
        given().auth().oauth2(jwt).get("/api/me").then().statusCode(401);
        given().auth().oauth2(api).get("/api/me").then().statusCode(401);
        given().auth().oauth2(login(name, "react-pass-1")).get("/api/me").then().statusCode(200);
        assertThat(queryLong("SELECT count(*) FROM audit_events WHERE action = 'user.tokens_revoked' AND target = '" + name + "'"))
                .isEqualTo(1);
    }

    @Test
    void signOutEverywhereEndsLoginTokensAndBrowserSessions() {
        String admin = adminToken();
        String name = unique("everywhere");
        long id = createUser(admin, name, "every-pass-1", "viewer");
        String a = login(name, "every-pass-1");
        String b = login(name, "every-pass-1");
        String session = given().contentType(ContentType.URLENC).formParam("username", name).formParam("password", "every-pass-1")
                .redirects().follow(false).post("/login").then().statusCode(303).extract().cookie("td_session");
        given().cookie("td_session", session).get("/api/me").then().statusCode(200);

        given().auth().oauth2(a).post("/api/me/sign-out-everywhere").then().statusCode(204);
        given().auth().oauth2(a).get("/api/me").then().statusCode(401);
        given().auth().oauth2(b).get("/api/me").then().statusCode(401);
        given().cookie("td_session", session).get("/api/me").then().statusCode(401);

        // an admin can do it for a user
        String c = login(name, "every-pass-1");
        given().auth().oauth2(admin).post("/api/users/" + id + "/sign-out-everywhere").then().statusCode(204);
        given().auth().oauth2(c).get("/api/me").then().statusCode(401);
        given().auth().oauth2(login(name, "every-pass-1")).post("/api/users/" + id + "/sign-out-everywhere").then().statusCode(403);
    }
}
