package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A deployment's steps (precheck, verify, rollback) and jump hosts, end to end: API, queue, the in-process SSH servers
 * running real shell scripts, the log, the live stream and the recorded steps.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class StepsTest extends ApiTest {

    static TestSshServer sshd;
    static TestSshServer bastion;

    String admin;
    String operator;
    String viewer;

    @BeforeAll
    static void startSshd() throws IOException {
        sshd = TestSshServer.start("deployer", DeploymentTest.CLIENT.getPublic());
        bastion = TestSshServer.start("jumper", DeploymentTest.CLIENT.getPublic()).allowForwardingToLoopback();
    }

    @AfterAll
    static void stopSshd() throws IOException {
        sshd.close();
        bastion.close();
    }

    @BeforeEach
    void tokens() {
        RoleTokens t = roleTokens();
        admin = t.admin();
        operator = t.operator();
        viewer = t.viewer();
    }

    /** A pinned server in a fresh folder with these scripts (name to body) and these extra fields. */
    String server(Map<String, String> scripts, Map<String, Object> fields) throws IOException {
        String alias = unique("steps");
        Path work = Files.createDirectories(DeploymentTest.DIR.resolve(alias));
        for (Map.Entry<String, String> e : scripts.entrySet()) {
            Files.writeString(work.resolve(e.getKey()), "#!/bin/sh\n" + e.getValue() + "\n");
            work.resolve(e.getKey()).toFile().setExecutable(true);
        }
        Map<String, Object> body = new HashMap<>(Map.of("name", alias, "alias", alias, "host", "127.0.0.1",
                "port", sshd.port(), "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine(),
                "timeout_seconds", 30));
        body.putAll(fields);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers").then().statusCode(201);
        return alias;
    }

    Path dir(String alias) {
        return DeploymentTest.DIR.resolve(alias);
    }

    long trigger(String alias, Map<String, Object> parameters) {
        Response r = given().auth().oauth2(operator).contentType(ContentType.JSON)
                .body(Map.of("server", alias, "parameters", parameters)).post("/api/deployments");
        r.then().statusCode(202);
        return r.<Number>path("id").longValue();
    }

    static List<String> states(JsonPath d) {
        return d.<Map<String, String>>getList("steps").stream().map(s -> s.get("name") + ":" + s.get("state")).toList();
    }

    @Test
    void aFailingPrecheckEndsTheRunBeforeAnythingChanged() throws Exception {
        String alias = server(Map.of("deploy.sh", "touch deployed; echo deployed", "precheck.sh", "echo 'disk too full' >&2; exit 3"),
                Map.of("steps", Map.of("precheck", List.of("true", "sh precheck.sh"),
                        "on_failure", Map.of("action", "command", "command", "touch undone"))));
        JsonPath d = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of()));
        assertThat(d.getString("status")).isEqualTo("FAILED");
        assertThat(d.getString("failed_step")).isEqualTo("precheck");
        assertThat(d.getInt("exit_code")).isEqualTo(3);
        assertThat(d.getString("error")).contains("the precheck failed, so nothing was deployed");
        assertThat(states(d)).containsExactly("precheck:FAILED", "deploy:SKIPPED", "on_failure:SKIPPED");
        assertThat(dir(alias).resolve("deployed")).doesNotExist();
        assertThat(dir(alias).resolve("undone")).doesNotExist();
        String log = DeploymentTest.log(viewer, d.getLong("id"));
        assertThat(log).contains("sys | [step] precheck: RUNNING — 2 commands").contains("sys | $ sh precheck.sh")
                .contains("err | disk too full").contains("sys | [step] precheck: FAILED — sh precheck.sh: The command exited with status 3")
                .contains("Finished: FAILED (exit code 3) at step precheck");
    }

    @Test
    void aFailingVerifyRollsBackToTheLastSuccessAndTheStatusTellsTheStory() throws Exception {
        String alias = server(Map.of("deploy.sh", "echo \"deploying $REF with key=$DEPLOY_KEY\"; echo \"$REF\" > current",
                        "verify.sh", "v=$(cat current); echo \"verifying $v\"; [ \"$v\" != broken ]"),
                Map.of("steps", Map.of("verify", Map.of("commands", List.of("sh verify.sh")), "on_failure", Map.of("action", "rollback")),
                        "secrets", Map.of("DEPLOY_KEY", "stream-secret-value-1")));
        JsonPath first = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of("REF", "broken")));
        assertThat(first.getString("status")).isEqualTo("FAILED");
        assertThat(first.getString("error")).contains("no earlier successful deployment to roll back to");
        assertThat(states(first)).containsExactly("deploy:SUCCEEDED", "verify:FAILED", "rollback:SKIPPED");
        JsonPath good = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of("REF", "v1")));
        assertThat(good.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(good.getString("failed_step")).isNull();
        assertThat(states(good)).containsExactly("deploy:SUCCEEDED", "verify:SUCCEEDED", "rollback:SKIPPED");

        long badId = trigger(alias, Map.of("REF", "broken"));
        var events = DeploymentTest.readEvents(badId, viewer, null);
        JsonPath bad = DeploymentTest.awaitFinal(viewer, badId);
        assertThat(bad.getString("status")).isEqualTo("FAILED");
        assertThat(bad.getString("failed_step")).isEqualTo("verify");
        assertThat(bad.getString("ref")).isEqualTo("broken");
        assertThat(bad.getString("error")).contains("The command exited with status 1")
                .contains("rolled back to #" + good.getLong("id") + " (v1)");
        assertThat(states(bad)).containsExactly("deploy:SUCCEEDED", "verify:FAILED", "rollback:SUCCEEDED");
        assertThat(Files.readString(dir(alias).resolve("current")).strip()).isEqualTo("v1");
        String log = DeploymentTest.log(viewer, badId);
        assertThat(log.indexOf("out | deploying broken with key=***")).isLessThan(log.indexOf("out | verifying broken"));
        assertThat(log.indexOf("out | verifying broken")).isLessThan(log.indexOf("out | deploying v1 with key=***"));
        assertThat(log).doesNotContain("stream-secret-value-1");
        // the secret variable is masked in the live stream too, also in the rollback step's output
        assertThat(events).noneMatch(e -> e.data().contains("stream-secret-value-1"));
        assertThat(events.stream().filter(e -> e.data().contains("with key=***"))).hasSize(2);
        // the live stream announces each step change as a step event, after its marker line
        var steps = events.stream().filter(e -> "step".equals(e.name())).map(e -> JsonPath.from(e.data()))
                .map(j -> j.getString("step") + ":" + j.getString("state")).toList();
        assertThat(steps).containsExactly("deploy:RUNNING", "deploy:SUCCEEDED", "verify:RUNNING", "verify:FAILED",
                "rollback:RUNNING", "rollback:SUCCEEDED");
        assertThat(events).last().satisfies(e -> assertThat(e.data()).contains("\"failed_step\":\"verify\""));
    }

    @Test
    void verifyWaitsForWatchedServicesToBeUp() throws Exception {
        try (ServerSocket up = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            String upName = unique("svc-up");
            String downName = unique("svc-down");
            service(upName, "127.0.0.1:" + up.getLocalPort());
            service(downName, "127.0.0.1:" + closedPort);
            String alias = server(Map.of("deploy.sh", "echo ok"), Map.of("steps",
                    Map.of("verify", Map.of("services", List.of(upName), "within_seconds", 5))));
            JsonPath ok = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of()));
            assertThat(ok.getString("status")).as(DeploymentTest.log(viewer, ok.getLong("id"))).isEqualTo("SUCCEEDED");
            assertThat(DeploymentTest.log(viewer, ok.getLong("id"))).contains("sys | Service " + upName + " is UP");
            given().auth().oauth2(viewer).get("/api/deployments/" + ok.getLong("id") + "/service-checks").then().statusCode(200)
                    .body("[0].cause", equalTo("verify")).body("[0].status", equalTo("UP"));

            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("steps",
                            Map.of("verify", Map.of("services", List.of(upName, downName), "within_seconds", 2))))
                    .patch("/api/servers/" + serverId(alias)).then().statusCode(200);
            JsonPath down = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of()));
            assertThat(down.getString("status")).isEqualTo("FAILED");
            assertThat(down.getString("failed_step")).isEqualTo("verify");
            assertThat(down.getString("error")).contains("service " + downName + " was not UP within 2 s");
            assertThat(down.getInt("duration_ms")).isGreaterThanOrEqualTo(2000);

            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("steps",
                            Map.of("verify", Map.of("services", List.of("no-such-service-anywhere")))))
                    .patch("/api/servers/" + serverId(alias)).then().statusCode(200);
            JsonPath missing = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of()));
            assertThat(missing.getString("error")).contains("no watched service is named 'no-such-service-anywhere'");
        }
    }

    void service(String name, String target) {
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", name, "kind", "tcp", "target", target, "interval_seconds", 3600, "timeout_ms", 1000))
                .post("/api/services").then().statusCode(201);
    }

    @Test
    void badStepsAreRefusedAndChangeNothing() throws Exception {
        String alias = server(Map.of("deploy.sh", "echo ok"), Map.of("steps", Map.of("precheck", List.of("true"))));
        for (var bad : List.of(
                Map.of("precheck", List.of("true; rm -rf /")),
                Map.of("verify", Map.of("commands", List.of("curl $(id)"))),
                Map.of("verify", Map.of("services", List.of("web"), "within_seconds", 0)),
                Map.of("on_failure", Map.of("action", "explode")),
                Map.of("on_failure", Map.of("action", "command")),
                Map.of("on_failure", Map.of("action", "rollback", "command", "x")))) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("steps", bad, "description", "changed"))
                    .patch("/api/servers/" + serverId(alias)).then().statusCode(400)
                    .contentType(containsString("application/problem+json")).body("detail", containsString("steps."));
        }
        given().auth().oauth2(viewer).get("/api/servers/" + alias).then().statusCode(200)
                .body("steps.precheck", equalTo(List.of("true"))).body("description", equalTo(null));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("steps", Map.of()))
                .patch("/api/servers/" + serverId(alias)).then().statusCode(200).body("steps", equalTo(null));
    }

    @Test
    void aJumpHostCarriesTheDeploymentAndAWrongPinAtItRefusesIt() throws Exception {
        String jump = unique("bastion");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", jump, "alias", jump, "host", "127.0.0.1",
                        "port", bastion.port(), "user", "jumper", "path", "/tmp", "host_key", bastion.hostKeyLine()))
                .post("/api/servers").then().statusCode(201);
        String alias = server(Map.of("deploy.sh", "echo \"behind the bastion\""), Map.of("jump_host", jump));
        given().auth().oauth2(viewer).get("/api/servers/" + alias).then().statusCode(200).body("jump_host", equalTo(jump));
        int forwards = bastion.forwards();
        JsonPath d = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of()));
        assertThat(d.getString("status")).as(DeploymentTest.log(viewer, d.getLong("id"))).isEqualTo("SUCCEEDED");
        assertThat(DeploymentTest.log(viewer, d.getLong("id"))).contains("out | behind the bastion");
        assertThat(bastion.forwards()).isGreaterThan(forwards);
        // the host-key scan of the target goes through the jump host too
        given().auth().oauth2(admin).post("/api/servers/" + serverId(alias) + "/host-key/scan").then().statusCode(200)
                .body("matches_pinned", equalTo(true));

        // one hop only, in both directions
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("jump_host", alias))
                .patch("/api/servers/" + serverId(jump)).then().statusCode(400).body("detail", containsString("more than one hop"));
        String third = server(Map.of("deploy.sh", "echo x"), Map.of());
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("jump_host", alias))
                .patch("/api/servers/" + serverId(third)).then().statusCode(400).body("detail", containsString("more than one hop"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("jump_host", "no-such-server-" + third))
                .patch("/api/servers/" + serverId(third)).then().statusCode(400).body("detail", containsString("jump_host"));
        given().auth().oauth2(admin).delete("/api/servers/" + serverId(jump)).then().statusCode(409)
                .body("detail", containsString("jump host of " + alias));

        // a changed key at the jump host: refused before anything runs, naming the hop
        String stranger = HostKeys.of(TestSshServer.ecKeyPair().getPublic()).line();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("host_key", stranger))
                .patch("/api/servers/" + serverId(jump)).then().statusCode(200);
        JsonPath refused = DeploymentTest.awaitFinal(viewer, trigger(alias, Map.of()));
        assertThat(refused.getString("status")).isEqualTo("FAILED");
        assertThat(refused.getString("error")).startsWith("Host key mismatch for jump host 127.0.0.1:" + bastion.port());
    }

    /** The old tool's /trigger passes UPPER-case query parameters and JSON fields (or a parameters object) on. */
    @Test
    void theLegacyTriggerPassesParameters() throws Exception {
        String alias = server(Map.of("deploy.sh", "echo \"ref=$REF colour=$COLOUR\""), Map.of("parameters",
                List.of(Map.of("name", "COLOUR", "type", "choice", "choices", List.of("blue", "green")))));
        long viaQuery = given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", alias)
                .queryParam("REF", "v3.0").queryParam("COLOUR", "green").get("/trigger")
                .then().statusCode(200).extract().<Number>path("deployment_id").longValue();
        long viaJson = given().contentType(ContentType.JSON).body(Map.of("token", DeploymentTest.LEGACY_TOKEN, "server", alias,
                        "parameters", Map.of("REF", "v3.1", "COLOUR", "blue")))
                .post("/trigger").then().statusCode(200).extract().<Number>path("deployment_id").longValue();
        assertThat(DeploymentTest.log(viewer, DeploymentTest.awaitFinal(viewer, viaQuery).getLong("id")))
                .contains("out | ref=v3.0 colour=green");
        assertThat(DeploymentTest.log(viewer, DeploymentTest.awaitFinal(viewer, viaJson).getLong("id")))
                .contains("out | ref=v3.1 colour=blue");
        long before = queryLong("SELECT count(*) FROM deployments");
        given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", alias).queryParam("COLOUR", "red")
                .get("/trigger").then().statusCode(400).body("detail", containsString("parameters.COLOUR"));
        given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", alias).queryParam("UNKNOWN", "x")
                .get("/trigger").then().statusCode(400).body("detail", containsString("parameters.UNKNOWN"));
        assertThat(queryLong("SELECT count(*) FROM deployments")).isEqualTo(before);
    }

    long serverId(String alias) {
        return given().auth().oauth2(viewer).get("/api/servers/" + alias).then().statusCode(200).extract().<Number>path("id").longValue();
    }
}
