package io.triggerdeploy.user;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

@QuarkusTest
class UserResourceTest extends ApiTest {

    String admin;
    String operator;
    String viewer;
    long victimId;

    @BeforeEach
    void users() {
        RoleTokens tokens = roleTokens();
        admin = tokens.admin();
        operator = tokens.operator();
        viewer = tokens.viewer();
        victimId = createUser(admin, unique("victim"), "victim-pass-1", "viewer");
    }

    /** Every user-management endpoint: admins may, operators and viewers get 403, anonymous callers 401. */
    @Test
    void roleMatrix() throws Exception {
        Map<String, BiFunction<RequestSpecification, Long, io.restassured.response.Response>> endpoints = Map.of(
                "list", (r, id) -> r.get("/api/users"),
                "get", (r, id) -> r.get("/api/users/" + id),
                "create", (r, id) -> r.contentType(ContentType.JSON)
                        .body(Map.of("username", unique("made"), "password", "made-pass-1", "role", "viewer")).post("/api/users"),
                "patch", (r, id) -> r.contentType(ContentType.JSON).body(Map.of("email", unique("e") + "@example.org")).patch("/api/users/" + id),
                "put", (r, id) -> r.contentType(ContentType.JSON).body(Map.of("role", "viewer")).put("/api/users/" + id),
                "reset", (r, id) -> r.contentType(ContentType.JSON).body(Map.of("password", "reset-pass-1")).post("/api/users/" + id + "/password"),
                "import", (r, id) -> r.contentType(ContentType.JSON).body(List.of()).post("/api/users/import"),
                "delete", (r, id) -> r.delete("/api/users/" + id));
        long before = queryLong("SELECT count(*) FROM users");
        for (var e : endpoints.entrySet()) {
            assertThat(e.getValue().apply(given(), victimId).statusCode()).as("anonymous " + e.getKey()).isEqualTo(401);
            assertThat(e.getValue().apply(given().auth().oauth2(viewer), victimId).statusCode()).as("viewer " + e.getKey()).isEqualTo(403);
            assertThat(e.getValue().apply(given().auth().oauth2(operator), victimId).statusCode()).as("operator " + e.getKey()).isEqualTo(403);
        }
        assertThat(queryLong("SELECT count(*) FROM users")).as("refused calls change nothing").isEqualTo(before);
        assertThat(queryString("SELECT email FROM users WHERE id = " + victimId)).isNull();
        for (String name : List.of("list", "get", "create", "patch", "put", "reset", "import", "delete")) {
            int status = endpoints.get(name).apply(given().auth().oauth2(admin), victimId).statusCode();
            assertThat(status).as("admin " + name).isBetween(200, 204);
        }
        given().auth().oauth2(admin).get("/api/users/" + victimId).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void createValidatesAndRejectsDuplicates() throws Exception {
        String name = unique("dup");
        createUser(admin, name, "dup-pass-12", "operator");
        long before = queryLong("SELECT count(*) FROM users");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", name.toUpperCase(), "password", "dup-pass-12", "role", "viewer"))
                .post("/api/users").then().statusCode(409).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", unique("x"), "password", "short", "role", "viewer"))
                .post("/api/users").then().statusCode(400).body("violations.field", hasItem("password"));
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", unique("x"), "password", "long-enough", "role", "superuser"))
                .post("/api/users").then().statusCode(400).body("violations.field", hasItem("role"));
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", "a b;rm -rf", "password", "long-enough", "role", "viewer", "email", "not-an-email"))
                .post("/api/users").then().statusCode(400).body("violations.field", hasItem("username")).body("violations.field", hasItem("email"));
        assertThat(queryLong("SELECT count(*) FROM users")).isEqualTo(before);
        String body = given().auth().oauth2(admin).get("/api/users").asString();
        assertThat(body).doesNotContain("password_hash").doesNotContain("$2a$");
    }

    @Test
    void concurrentCreatesOfOneNameYieldOneUserAndConflicts() throws Exception {
        String name = unique("race");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 8; i++) {
                String variant = i % 2 == 0 ? name : name.toUpperCase();
                futures.add(pool.submit(() -> given().auth().oauth2(admin).contentType(ContentType.JSON)
                        .body(Map.of("username", variant, "password", "race-pass-1", "role", "viewer"))
                        .post("/api/users").statusCode()));
            }
            var statuses = new java.util.ArrayList<Integer>();
            for (var f : futures) {
                statuses.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(queryLong("SELECT count(*) FROM users WHERE lower(username) = lower('" + name + "')")).isEqualTo(1);
    }

    @Test
    void deactivatingAUserRevokesTheirLoginAndTokens() {
        String name = unique("leaver");
        long id = createUser(admin, name, "leaver-pass", "operator");
        String token = login(name, "leaver-pass");
        given().auth().oauth2(token).get("/api/me").then().statusCode(200);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false, "role", "viewer"))
                .patch("/api/users/" + id).then().statusCode(200).body("active", equalTo(false)).body("role", equalTo("viewer"));
        given().auth().oauth2(token).get("/api/me").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "leaver-pass"))
                .post("/api/login").then().statusCode(401);
    }

    @Test
    void roleChangeTakesEffectOnExistingTokens() {
        String name = unique("promo");
        long id = createUser(admin, name, "promo-pass-1", "viewer");
        String token = login(name, "promo-pass-1");
        given().auth().oauth2(token).get("/api/users").then().statusCode(403);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("role", "admin"))
                .put("/api/users/" + id).then().statusCode(200);
        given().auth().oauth2(token).get("/api/users").then().statusCode(200);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("role", "viewer"))
                .put("/api/users/" + id).then().statusCode(200);
    }

    @Test
    void adminResetsAPassword() {
        String name = unique("reset");
        long id = createUser(admin, name, "old-pass-123", "viewer");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("password", "new-pass-456"))
                .post("/api/users/" + id + "/password").then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "old-pass-123"))
                .post("/api/login").then().statusCode(401);
        login(name, "new-pass-456");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("password", "new-pass-456"))
                .post("/api/users/999999/password").then().statusCode(404);
    }

    @Test
    void theLastActiveAdminCannotBeRemovedOrDemoted() throws Exception {
        // make sure only the bootstrap admin is an active admin
        update("UPDATE users SET active = FALSE WHERE role = 'admin' AND username <> 'admin'");
        long adminId = queryLong("SELECT id FROM users WHERE username = 'admin'");
        given().auth().oauth2(admin).delete("/api/users/" + adminId).then().statusCode(409).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("role", "operator"))
                .patch("/api/users/" + adminId).then().statusCode(409);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch("/api/users/" + adminId).then().statusCode(409);
        assertThat(queryString("SELECT role || ':' || active FROM users WHERE id = " + adminId)).isEqualTo("admin:true");

        String second = unique("admin2");
        long secondId = createUser(admin, second, "second-admin", "admin");
        given().auth().oauth2(admin).delete("/api/users/" + secondId).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/users").then().body("username", not(hasItem(second)));
    }

    @Test
    void usersChangeTheirOwnPassword() {
        String name = unique("self");
        createUser(admin, name, "first-pass-1", "viewer");
        String token = login(name, "first-pass-1");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("current_password", "wrong-current", "new_password", "second-pass-2"))
                .put("/api/me/password").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("current_password", "first-pass-1", "new_password", "x"))
                .put("/api/me/password").then().statusCode(400);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("current_password", "first-pass-1", "new_password", "second-pass-2"))
                .put("/api/me/password").then().statusCode(204);
        login(name, "second-pass-2");
        given().contentType(ContentType.JSON).body(Map.of("password", "x")).put("/api/me/password").then().statusCode(401);
    }

    @Test
    void usernamesAndEmailsAreOneNamespace() throws Exception {
        String admin = adminToken();
        String name = unique("ns");
        String mail = name + "@example.org";
        long owner = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", name, "email", mail, "password", "owner-pass-1", "role", "viewer"))
                .post("/api/users").then().statusCode(201).extract().<Number>path("id").longValue();
        long before = queryLong("SELECT count(*) FROM users");
        // a username equal to someone's email (any case): refused, so that email keeps signing its owner in
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", mail.toUpperCase(), "password", "taker-pass-1", "role", "admin"))
                .post("/api/users").then().statusCode(409).contentType("application/problem+json");
        // an email equal to someone's username: refused on create and on change
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", unique("other"), "email", name + "@x.test", "password", "other-pass-1", "role", "viewer"))
                .post("/api/users").then().statusCode(201);
        String atName = unique("at") + "@name.test"; // usernames may look like emails (the old tool's did)
        createUser(admin, atName, "atname-pass-1", "viewer");
        long other = createUser(admin, unique("plain"), "plain-pass-1", "viewer");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("email", atName.toUpperCase()))
                .patch("/api/users/" + other).then().statusCode(409);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", unique("third"), "email", atName, "password", "third-pass-1", "role", "viewer"))
                .post("/api/users").then().statusCode(409);
        // the old tool's import follows the same rule
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(java.util.List.of(Map.of("username", mail, "password_hash", "scrypt:32768:8:1$salt$abcdef", "role", "user")))
                .post("/api/users/import").then().statusCode(200).body("created.size()", equalTo(0)).body("skipped.size()", equalTo(1));
        assertThat(queryLong("SELECT count(*) FROM users")).isEqualTo(before + 3);
        given().contentType(ContentType.JSON).body(Map.of("username", mail, "password", "owner-pass-1")).post("/api/login")
                .then().statusCode(200).body("user.id", equalTo((int) owner));
    }
}
