package io.triggerdeploy.monitor;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TestSshServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The service monitor against real HTTP and TCP endpoints and a real SSH server, all on loopback. */
@QuarkusTest
@TestProfile(MonitorTest.Monitor.class)
class MonitorTest extends ApiTest {

    static final Path DIR = Deploys.DIR;
    static final KeyPair CLIENT = Deploys.CLIENT;
    static TestSshServer sshd;
    static HttpServer web;
    static final AtomicInteger flip = new AtomicInteger(200);
    static final ConcurrentLinkedQueue<JsonObject> announcements = new ConcurrentLinkedQueue<>();

    String admin;

    /** Loopback allowed (the tests' services live there), quick ticks, a short cooldown. */
    public static class Monitor implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trigger.ssh.private-key-file", DIR.resolve("client_key").toString(),
                    "trigger.deploy.poll-interval", "1s",
                    "trigger.monitor.allow-networks", "127.0.0.1/32",
                    "trigger.notify.allow-networks", "127.0.0.1/32",
                    "trigger.monitor.tick", "300ms",
                    "trigger.monitor.server-interval", "1s",
                    "trigger.monitor.notify-cooldown", "3s");
        }
    }

    @BeforeAll
    static void start() throws IOException {
        sshd = TestSshServer.start("deployer", CLIENT.getPublic());
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            int status = 200;
            String answer = "all healthy";
            switch (path) {
                case "/flip" -> status = flip.get();
                case "/error" -> status = 500;
                case "/redirect" -> {
                    status = 302;
                    ex.getResponseHeaders().add("Location", "/ok");
                }
                case "/loop" -> {
                    status = 302;
                    ex.getResponseHeaders().add("Location", "/loop");
                }
                case "/away" -> {
                    status = 302;
                    ex.getResponseHeaders().add("Location", "http://127.0.0.2/secret");
                }
                case "/notify" -> announcements.add(new JsonObject(new String(body, StandardCharsets.UTF_8)));
                default -> { }
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        web.start();
    }

    @AfterAll
    static void stop() throws IOException {
        web.stop(0);
        sshd.close();
    }

    @BeforeEach
    void token() {
        admin = adminToken();
    }

    String url(String path) {
        return "http://127.0.0.1:" + web.getAddress().getPort() + path;
    }

    long service(Map<String, Object> body) {
        Map<String, Object> b = new HashMap<>(body);
        b.putIfAbsent("name", unique("svc-"));
        return given().auth().oauth2(admin).contentType(ContentType.JSON).body(b).post("/api/services")
                .then().statusCode(201).extract().<Number>path("id").longValue();
    }

    JsonPath checkNow(long id) {
        return given().auth().oauth2(admin).post("/api/services/" + id + "/check").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void httpAndTcpChecksJudgeStatusBodyRedirectsAndNetworks() throws IOException {
        assertThat(checkNow(service(Map.of("kind", "http", "target", url("/ok"), "body_contains", "healthy"))).getString("status"))
                .isEqualTo("UP");
        JsonPath degraded = checkNow(service(Map.of("kind", "http", "target", url("/ok"), "body_contains", "everything fine")));
        assertThat(degraded.getString("status")).isEqualTo("DEGRADED");
        assertThat(degraded.getString("error")).contains("does not contain");
        JsonPath error = checkNow(service(Map.of("kind", "http", "target", url("/error"))));
        assertThat(error.getString("status")).isEqualTo("DOWN");
        assertThat(error.getInt("status_code")).isEqualTo(500);
        assertThat(checkNow(service(Map.of("kind", "http", "target", url("/error"), "expected_statuses", "500"))).getString("status"))
                .isEqualTo("UP");
        assertThat(checkNow(service(Map.of("kind", "http", "target", url("/redirect")))).getString("status")).isEqualTo("UP");
        assertThat(checkNow(service(Map.of("kind", "http", "target", url("/loop")))).getString("error")).contains("Too many redirects");
        // a redirect may not lead outside the allowed networks (checked at each hop); a target outside them is refused
        // when it is saved (aServiceIsChangedInPartOrWholeAndDeleted)
        JsonPath away = checkNow(service(Map.of("kind", "http", "target", url("/away"))));
        assertThat(away.getString("status")).isEqualTo("REFUSED");
        assertThat(away.getString("error")).contains("Refused").contains("127.0.0.2");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", unique("svc-"), "kind", "tcp", "target", "127.0.0.2:22"))
                .post("/api/services").then().statusCode(400).body("detail", containsString("127.0.0.2"));

        assertThat(checkNow(service(Map.of("kind", "tcp", "target", "127.0.0.1:" + web.getAddress().getPort()))).getString("status"))
                .isEqualTo("UP");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        JsonPath refused = checkNow(service(Map.of("kind", "tcp", "target", "127.0.0.1:" + closed, "timeout_ms", 2000)));
        assertThat(refused.getString("status")).isEqualTo("DOWN");
        assertThat(refused.getString("error")).containsIgnoringCase("refused");
    }

    @Test
    void scheduledChecksRunOncePerIntervalAndReportUptimeAndHistory() throws Exception {
        long id = service(Map.of("kind", "http", "target", url("/ok"), "interval_seconds", 60));
        await().atMost(Duration.ofSeconds(15)).until(() -> queryLong("SELECT count(*) FROM service_checks WHERE service_id = " + id) >= 1);
        // several ticks later: still one check, the next is due in a minute
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> queryLong("SELECT count(*) FROM service_checks WHERE service_id = " + id) == 1);
        checkNow(id);
        JsonPath s = given().auth().oauth2(admin).get("/api/services/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(s.getString("status")).isEqualTo("UP");
        assertThat(s.getDouble("uptime24h")).isEqualTo(1.0);
        assertThat(s.getList("history")).hasSize(2);
        assertThat(s.getList("history.cause")).containsExactly("manual", "schedule");
        assertThat(s.getInt("history[0].response_ms")).isGreaterThanOrEqualTo(0);
        List<Map<String, Object>> all = given().auth().oauth2(admin).get("/api/services").then().statusCode(200).extract().jsonPath().getList("");
        assertThat(all).anyMatch(m -> ((Number) m.get("id")).longValue() == id);
    }

    /** Scheduled and manual checks of one service at the same moment (a deadlock once: lock order). */
    @Test
    void concurrentChecksOfOneServiceAllSucceed() throws Exception {
        long id = service(Map.of("kind", "http", "target", url("/ok"), "interval_seconds", 10));
        List<java.util.concurrent.CompletableFuture<Integer>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    given().auth().oauth2(admin).post("/api/services/" + id + "/check").statusCode()));
        }
        for (var c : calls) {
            assertThat(c.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
        }
        assertThat(queryLong("SELECT count(*) FROM service_checks WHERE service_id = " + id + " AND cause = 'manual'")).isEqualTo(12);
    }

    @Test
    void downAndRecoveredAreAnnouncedOnceWithACooldown() throws Exception {
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("ops-"), "kind", "webhook", "events", List.of("service.down", "service.recovered"),
                        "secret", "monitor-signing-secret-123", "settings", Map.of("url", url("/notify"))))
                .post("/api/notifications/channels").then().statusCode(201);
        String name = unique("flappy-");
        long id = service(Map.of("name", name, "kind", "http", "target", url("/flip"), "interval_seconds", 3600));
        await().atMost(Duration.ofSeconds(10)).until(() -> queryLong("SELECT count(*) FROM service_checks WHERE service_id = " + id) >= 1);

        flip.set(503);
        assertThat(checkNow(id).getString("status")).isEqualTo("DOWN");
        checkNow(id); // still down: no second message
        await().atMost(Duration.ofSeconds(10)).until(() -> events(name).contains("service.down"));
        flip.set(200);
        assertThat(checkNow(id).getString("status")).isEqualTo("UP"); // within the cooldown: held back
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> events(name).equals(List.of("service.down")));
        // once the cooldown is over, a check that is still up announces the recovery
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
            checkNow(id);
            return events(name).size() == 2;
        });
        assertThat(events(name)).containsExactly("service.down", "service.recovered");
        JsonObject down = announcements.stream().filter(a -> name.equals(a.getJsonObject("data").getString("service"))).findFirst().orElseThrow();
        assertThat(down.getJsonObject("data").getInteger("status_code")).isEqualTo(503);

        // the policy forbids the address now (a target saved under an earlier policy): REFUSED, which says nothing about
        // the service: neither down nor recovered, and not counted in the uptime
        double uptime = given().auth().oauth2(admin).get("/api/services/" + id).then().statusCode(200).extract().jsonPath().getDouble("uptime24h");
        assertThat(uptime).isStrictlyBetween(0.0, 1.0);
        update("UPDATE services SET target = 'http://127.0.0.2:9/health' WHERE id = " + id);
        JsonPath refused = checkNow(id);
        assertThat(refused.getString("status")).isEqualTo("REFUSED");
        assertThat(refused.getString("error")).contains("Refused").contains("127.0.0.2");
        JsonPath after = given().auth().oauth2(admin).get("/api/services/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(after.getString("status")).isEqualTo("REFUSED");
        assertThat(after.getDouble("uptime24h")).isEqualTo(uptime);
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("trigger_service_status{service=\"" + name + "\",status=\"REFUSED\"} 1.0");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> events(name).size() == 2);
    }

    List<String> events(String service) {
        return announcements.stream().filter(a -> service.equals(a.getJsonObject("data").getString("service")))
                .map(a -> a.getString("event")).toList();
    }

    @Test
    void aDeploymentChecksItsServersServicesAndServersReportReachability() throws Exception {
        String alias = unique("mon-");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho deployed\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", work.toString(), "host_key", sshd.hostKeyLine()))
                .post("/api/servers").then().statusCode(201);
        String svc = unique("linked-");
        service(Map.of("name", svc, "kind", "http", "target", url("/ok"), "server", alias, "interval_seconds", 3600));

        long dep = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("server", alias))
                .post("/api/deployments").then().statusCode(202).extract().<Number>path("id").longValue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath checks = given().auth().oauth2(admin).get("/api/deployments/" + dep + "/service-checks").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(checks.getList("service")).containsExactly(svc);
            assertThat(checks.getString("[0].status")).isEqualTo("UP");
            assertThat(checks.getString("[0].cause")).isEqualTo("deployment");
        });

        // reachability: this server answers with its pinned key; one pinned to another key does not match
        String wrong = unique("wrongkey-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", wrong, "alias", wrong, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", "/srv", "host_key", org.apache.sshd.common.config.keys.PublicKeyEntry.toString(TestSshServer.ecKeyPair().getPublic())))
                .post("/api/servers").then().statusCode(201);
        // the right key, but a user the server refuses: the port and the key are fine, a deployment could not start
        String refused = unique("refused-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", refused, "alias", refused, "host", "127.0.0.1", "port", sshd.port(), "user", "someone-else",
                        "path", "/srv", "host_key", sshd.hostKeyLine()))
                .post("/api/servers").then().statusCode(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath s = given().auth().oauth2(admin).get("/api/servers/" + alias).then().extract().jsonPath();
            assertThat(s.getString("reachability")).isEqualTo("REACHABLE");
            assertThat(s.getString("last_seen_at")).isNotNull();
            JsonPath w = given().auth().oauth2(admin).get("/api/servers/" + wrong).then().extract().jsonPath();
            assertThat(w.getString("reachability")).isEqualTo("HOST_KEY_MISMATCH");
            assertThat(w.getString("last_seen_at")).isNull();
            JsonPath r = given().auth().oauth2(admin).get("/api/servers/" + refused).then().extract().jsonPath();
            assertThat(r.getString("reachability")).isEqualTo("LOGIN_FAILED");
            assertThat(r.getString("reachability_error")).startsWith("Host key matches; the login failed");
            assertThat(r.getString("last_seen_at")).isNull();
        });
    }

    @Test
    void importRolesAndBadInput() {
        String a = unique("imp-");
        String b = unique("imp-");
        JsonPath list = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(List.of(Map.of("name", a, "type", "http", "url", url("/ok"), "expected_status", 200, "timeout", 5),
                        Map.of("name", unique("dock-"), "type", "docker", "container_name", "web")))
                .post("/api/services/import").then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("created.name")).containsExactly(a);
        assertThat(list.getString("skipped[0].reason")).contains("Docker");
        JsonPath object = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("remote_services", List.of(Map.of("name", b, "type", "tcp", "host", "127.0.0.1", "port", 22, "timeout", 3),
                        Map.of("name", a, "type", "http", "url", url("/ok")))))
                .post("/api/services/import").then().statusCode(200).extract().jsonPath();
        assertThat(object.getList("created.target")).containsExactly("127.0.0.1:22");
        assertThat(object.getList("skipped.name")).containsExactly(a); // already there: not overwritten

        RoleTokens t = roleTokens();
        given().auth().oauth2(t.viewer()).get("/api/services").then().statusCode(200);
        given().auth().oauth2(t.viewer()).contentType(ContentType.JSON).body(Map.of("name", "x", "kind", "tcp", "target", "h:1"))
                .post("/api/services").then().statusCode(403);
        long id = service(Map.of("kind", "http", "target", url("/ok")));
        given().auth().oauth2(t.viewer()).post("/api/services/" + id + "/check").then().statusCode(403);
        given().auth().oauth2(t.operator()).post("/api/services/" + id + "/check").then().statusCode(200);
        for (Map<String, Object> bad : List.of(
                Map.<String, Object>of("name", "b1", "kind", "ftp", "target", "ftp://x"),
                Map.<String, Object>of("name", "b2", "kind", "tcp", "target", "no-port"),
                Map.<String, Object>of("name", "b3", "kind", "http", "target", "file:///etc/passwd"),
                Map.<String, Object>of("name", "b4", "kind", "http", "target", url("/ok"), "interval_seconds", 1),
                Map.<String, Object>of("name", "b5", "kind", "http", "target", url("/ok"), "expected_statuses", "2xx"))) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad).post("/api/services")
                    .then().statusCode(400).contentType("application/problem+json");
        }
    }

    /**
     * A service is changed in part (PATCH) or whole (PUT) and deleted; a changed target is checked at once, bad input
     * changes nothing. (Both changes answered 500 once: the UPDATE's target parameter had two deduced types.)
     */
    @Test
    void aServiceIsChangedInPartOrWholeAndDeleted() {
        long id = service(Map.of("kind", "http", "target", url("/ok"), "interval_seconds", 3600));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false, "description", "paused for the move"))
                .patch("/api/services/" + id).then().statusCode(200).body("active", equalTo(false))
                .body("description", equalTo("paused for the move"))
                .body("target", equalTo(url("/ok")));
        String renamed = unique("svc-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", renamed, "kind", "http", "target", url("/slow"), "interval_seconds", 3600, "active", true))
                .put("/api/services/" + id).then().statusCode(200).body("name", equalTo(renamed))
                .body("target", equalTo(url("/slow"))).body("active", equalTo(true));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "tcp", "target", "127.0.0.1:22"))
                .patch("/api/services/" + id).then().statusCode(400).body("violations[0].field", equalTo("kind"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("interval_seconds", 1))
                .patch("/api/services/" + id).then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(admin).get("/api/services/" + id).then().statusCode(200)
                .body("interval_seconds", equalTo(3600)).body("name", equalTo(renamed));
        // an address the checks may not reach (only 127.0.0.1 is allowed here) is refused when saved, not DOWN forever
        for (Map<String, Object> denied : List.<Map<String, Object>>of(Map.of("name", unique("svc-"), "kind", "tcp", "target", "127.0.0.2:22"),
                Map.of("name", unique("svc-"), "kind", "http", "target", "http://127.0.0.2/health"))) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(denied).post("/api/services").then().statusCode(400)
                    .body("violations[0].field", equalTo("target"));
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("target", "http://127.0.0.2/health"))
                .patch("/api/services/" + id).then().statusCode(400).body("violations[0].field", equalTo("target"));
        given().auth().oauth2(admin).get("/api/services/" + id).then().statusCode(200).body("target", equalTo(url("/slow")));
        given().auth().oauth2(admin).delete("/api/services/" + id).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/services/" + id).then().statusCode(404);
    }
}
