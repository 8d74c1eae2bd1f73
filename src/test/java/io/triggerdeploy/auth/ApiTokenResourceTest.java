package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class ApiTokenResourceTest extends ApiTest {

    @Test
    void lifecycleCreateUseListRevoke() throws Exception {
        String admin = adminToken();
        String name = unique("ci");
        createUser(admin, name, "ci-owner-pass", "operator");
        String owner = login(name, "ci-owner-pass");

        Response created = given().auth().oauth2(owner).contentType(ContentType.JSON)
                .body(Map.of("name", "github-actions", "expires_in_days", 30))
                .post("/api/tokens");
        created.then().statusCode(201).body("role", equalTo("operator")).body("active", equalTo(true));
        String secret = created.path("token");
        long id = created.<Number>path("id").longValue();
        assertThat(created.header("Location")).endsWith("/api/tokens/" + id);
        assertThat(secret).startsWith("tdp_");
        assertThat(OffsetDateTime.parse(created.path("expires_at"))).isAfter(OffsetDateTime.now().plusDays(29));

        // stored only as a hash; never listed again
        assertThat(queryLong("SELECT count(*) FROM api_tokens WHERE token_hash = '" + secret + "' OR name = '" + secret + "'")).isZero();
        assertThat(queryString("SELECT token_hash FROM api_tokens WHERE id = " + id)).hasSize(64).isNotEqualTo(secret);
        given().auth().oauth2(owner).get("/api/tokens").then().statusCode(200)
                .body("name", hasItem("github-actions")).body("[0].token", nullValue());
        assertThat(given().auth().oauth2(owner).get("/api/tokens").asString()).doesNotContain(secret);

        given().auth().oauth2(secret).get("/api/me").then().statusCode(200)
                .body("username", equalTo(name)).body("auth_type", equalTo("api_token")).body("role", equalTo("operator"));

        // same live name twice is a conflict
        given().auth().oauth2(owner).contentType(ContentType.JSON).body(Map.of("name", "GitHub-Actions"))
                .post("/api/tokens").then().statusCode(409);

        given().auth().oauth2(owner).delete("/api/tokens/" + id).then().statusCode(204);
        given().auth().oauth2(secret).get("/api/me").then().statusCode(401);
        given().auth().oauth2(owner).get("/api/tokens").then().body("find { it.id == " + id + " }.active", equalTo(false));
    }

    @Test
    void roleCannotExceedTheOwnersAndFollowsTheOwner() throws Exception {
        String admin = adminToken();
        String name = unique("vw");
        long userId = createUser(admin, name, "viewer-pass-1", "viewer");
        String viewer = login(name, "viewer-pass-1");
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(Map.of("name", "x", "role", "operator"))
                .post("/api/tokens").then().statusCode(403).contentType("application/problem+json");
        assertThat(queryLong("SELECT count(*) FROM api_tokens WHERE user_id = " + userId)).isZero();

        String adminSecret = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("viewer-scoped"), "role", "viewer"))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        given().auth().oauth2(adminSecret).get("/api/users").then().statusCode(403);
        given().auth().oauth2(adminSecret).get("/api/me").then().statusCode(200).body("role", equalTo("viewer"));

        // an operator's operator token drops to viewer when the owner is demoted
        String opName = unique("op");
        long opId = createUser(admin, opName, "operator-pass", "operator");
        String opSecret = given().auth().oauth2(login(opName, "operator-pass")).contentType(ContentType.JSON)
                .body(Map.of("name", "deploy")).post("/api/tokens").then().statusCode(201).extract().path("token");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("role", "viewer")).patch("/api/users/" + opId)
                .then().statusCode(200);
        given().auth().oauth2(opSecret).get("/api/me").then().statusCode(200).body("role", equalTo("viewer"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/users/" + opId)
                .then().statusCode(200);
        given().auth().oauth2(opSecret).get("/api/me").then().statusCode(401);
    }

    @Test
    void expiredAndUnknownTokensAre401AndBadExpiriesAre400() throws Exception {
        String admin = adminToken();
        Response r = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("short")))
                .post("/api/tokens");
        String secret = r.path("token");
        given().auth().oauth2(secret).get("/api/me").then().statusCode(200);
        update("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = " + r.<Number>path("id"));
        given().auth().oauth2(secret).get("/api/me").then().statusCode(401);
        given().auth().oauth2("tdp_" + "A".repeat(43)).get("/api/me").then().statusCode(401);

        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "past", "expires_at", OffsetDateTime.now().minusDays(1).toString()))
                .post("/api/tokens").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "forever", "expires_at", OffsetDateTime.now().plusYears(5).toString()))
                .post("/api/tokens").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", ""))
                .post("/api/tokens").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "expires_at", "tomorrow"))
                .post("/api/tokens").then().statusCode(400);
        given().auth().oauth2(admin).get("/api/tokens").then().body("name", not(hasItem("past")));
        given().get("/api/tokens").then().statusCode(401);
    }

    @Test
    void aUserCannotRevokeSomeoneElsesToken() {
        String admin = adminToken();
        long adminTokenId = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", unique("mine")))
                .post("/api/tokens").then().statusCode(201).extract().<Number>path("id").longValue();
        String name = unique("nosy");
        createUser(admin, name, "nosy-pass-1", "operator");
        given().auth().oauth2(login(name, "nosy-pass-1")).delete("/api/tokens/" + adminTokenId).then().statusCode(404);
        given().auth().oauth2(admin).get("/api/tokens").then().body("find { it.id == " + adminTokenId + " }.active", equalTo(true));
    }
}
