package io.triggerdeploy.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The audit trail records who did what from where, shows it to admins only, and never holds a secret. */
@QuarkusTest
class AuditTest extends ApiTest {

    JsonPath audit(String admin, String query) {
        return given().auth().oauth2(admin).get("/api/audit" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void recordsLoginsTokensUsersAndServersWithoutSecrets() throws Exception {
        String admin = adminToken();
        String name = unique("aud");
        long id = createUser(admin, name, "first-secret-pass", "operator");

        // a failed login (with the address it came from) and a good one
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "wrong-secret-pass"))
                .post("/api/login").then().statusCode(401);
        String token = login(name, "first-secret-pass");
        String apiSecret = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "ci", "role", "viewer"))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("password", "second-secret-pass"))
                .post("/api/users/" + id + "/password").then().statusCode(204);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("role", "viewer"))
                .patch("/api/users/" + id).then().statusCode(200);

        JsonPath mine = audit(admin, "?actor=" + name);
        List<String> actions = mine.getList("items.action");
        assertThat(actions).contains("login.failure", "login.success", "token.created");
        Map<String, Object> failure = mine.getMap("items.find { it.action == 'login.failure' }");
        assertThat(failure.get("client_ip")).isEqualTo("127.0.0.1");
        assertThat(failure.get("success")).isEqualTo(false);
        assertThat(mine.getString("items.find { it.action == 'token.created' }.detail")).contains("role viewer");

        JsonPath byAdmin = audit(admin, "?actor=admin&action=user");
        assertThat(byAdmin.getList("items.findAll { it.target == '" + name + "' }.action", String.class))
                .contains("user.created", "user.password_reset", "user.updated");
        assertThat(byAdmin.getString("items.find { it.action == 'user.updated' && it.target == '" + name + "' }.detail"))
                .contains("role viewer");

        // no password, hash or token secret anywhere in the table
        String all = queryString("SELECT string_agg(concat_ws('|', actor, action, target, detail, client_ip), E'\\n') FROM audit_events");
        assertThat(all).doesNotContain("first-secret-pass").doesNotContain("wrong-secret-pass")
                .doesNotContain("second-secret-pass").doesNotContain(apiSecret).doesNotContain("$2a$");
    }

    @Test
    void serverChangesAndHostKeyPinsAreRecorded() {
        String admin = adminToken();
        String alias = unique("aud-srv");
        Number id = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app",
                        "host_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"))
                .post("/api/servers").then().statusCode(201).extract().path("id");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("port", 2222))
                .patch("/api/servers/" + id).then().statusCode(200);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("host_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"))
                .put("/api/servers/" + id + "/host-key").then().statusCode(200);

        JsonPath j = audit(admin, "?action=server");
        List<String> mine = j.getList("items.findAll { it.target == '" + alias + "' }.action", String.class);
        assertThat(mine).containsExactly("server.host_key_pinned", "server.updated", "server.created");
        assertThat(j.getString("items.find { it.action == 'server.updated' && it.target == '" + alias + "' }.detail"))
                .contains(":2222").contains("unpinned");
        assertThat(j.getString("items.find { it.action == 'server.host_key_pinned' && it.target == '" + alias + "' }.detail"))
                .startsWith("pinned SHA256:");
    }

    @Test
    void onlyAdminsReadItAndBadFiltersAre400() {
        RoleTokens t = roleTokens();
        given().get("/api/audit").then().statusCode(401);
        given().auth().oauth2(t.operator()).get("/api/audit").then().statusCode(403);
        given().auth().oauth2(t.viewer()).get("/api/audit").then().statusCode(403);
        given().auth().oauth2(t.admin()).get("/api/audit?from=yesterday").then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(t.admin()).get("/api/audit?limit=0").then().statusCode(400);
        // keyset paging: two pages of one never overlap
        JsonPath p1 = audit(t.admin(), "?limit=1");
        long cursor = p1.getLong("next_cursor");
        JsonPath p2 = audit(t.admin(), "?limit=1&cursor=" + cursor);
        assertThat(p2.getLong("items[0].id")).isLessThan(p1.getLong("items[0].id"));
    }

    /**
     * A change and its audit record commit together: when the record cannot be written (here a trigger refuses it), the
     * change is not made either, on both kinds of transaction (an entity's, and the pool's).
     */
    @Test
    void aChangeWhoseAuditRecordFailsIsNotMade() throws Exception {
        String admin = adminToken();
        String refused = unique("audit-refused");
        update("CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.target LIKE 'audit-refused%' THEN RAISE EXCEPTION 'audit refused for the test'; END IF; RETURN NEW; END $$");
        update("DROP TRIGGER IF EXISTS test_refuse_audit ON audit_events");
        update("CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()");
        try {
            // a server (written through its entity's session)
            int status = given().auth().oauth2(admin).contentType(ContentType.JSON)
                    .body(Map.of("name", refused, "alias", refused, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                    .post("/api/servers").then().extract().statusCode();
            assertThat(status).isGreaterThanOrEqualTo(500);
            assertThat(queryLong("SELECT count(*) FROM servers WHERE alias = '" + refused + "'")).isZero();
            // a user (the same way)
            status = given().auth().oauth2(admin).contentType(ContentType.JSON)
                    .body(Map.of("username", refused, "password", "a-long-enough-pass", "role", "viewer"))
                    .post("/api/users").then().extract().statusCode();
            assertThat(status).isGreaterThanOrEqualTo(500);
            assertThat(queryLong("SELECT count(*) FROM users WHERE username = '" + refused + "'")).isZero();
            // an environment (a pool transaction)
            status = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", refused))
                    .post("/api/environments").then().extract().statusCode();
            assertThat(status).isGreaterThanOrEqualTo(500);
            assertThat(queryLong("SELECT count(*) FROM environments WHERE name = '" + refused + "'")).isZero();
        } finally {
            update("DROP TRIGGER IF EXISTS test_refuse_audit ON audit_events");
        }
        // with the record writable again, the same change goes through and is recorded
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", refused))
                .post("/api/environments").then().statusCode(201);
        assertThat(queryLong("SELECT count(*) FROM audit_events WHERE action = 'environment.created' AND target = '" + refused + "'"))
                .isEqualTo(1);
    }
}
