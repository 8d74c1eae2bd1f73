package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TestLogs;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** Deployments end to end: API → PostgreSQL queue → runner → real SSH server running real scripts. */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class DeploymentTest extends ApiTest {

    static final Path DIR = Deploys.DIR;
    static final KeyPair CLIENT = Deploys.CLIENT;
    static final String LEGACY_TOKEN = Deploys.LEGACY_TOKEN;
    static TestSshServer sshd;
    static final String PRINT = "for n in REF TARGET DEBUG COUNT; do eval \"v=\\${$n-unset}\"; printf '%s=[%s]\\n' \"$n\" \"$v\"; done";

    String admin;
    String operator;
    String viewer;

    @jakarta.inject.Inject
    DeploymentRepository repository;

    @BeforeAll
    static void startSshd() throws IOException {
        sshd = TestSshServer.start("deployer", CLIENT.getPublic());
    }

    @AfterAll
    static void stopSshd() throws IOException {
        sshd.close();
    }

    @BeforeEach
    void tokens() {
        RoleTokens t = roleTokens();
        admin = t.admin();
        operator = t.operator();
        viewer = t.viewer();
    }

    /** A pinned server whose deploy.sh is the given script body. */
    String server(String script, Integer timeoutSeconds) throws IOException {
        String alias = unique("srv");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        Map<String, Object> body = new HashMap<>(Map.of("name", alias, "alias", alias, "host", "127.0.0.1",
                "port", sshd.port(), "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine()));
        if (timeoutSeconds != null) {
            body.put("timeout_seconds", timeoutSeconds);
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers").then().statusCode(201);
        return alias;
    }

    /** A server with these parameter declarations and secret variables, whose script prints what it received. */
    String parameterised(String script, java.util.List<Map<String, Object>> parameters, Map<String, String> secrets) throws IOException {
        String alias = server(script, 30);
        Map<String, Object> body = new HashMap<>();
        body.put("parameters", parameters);
        if (secrets != null) {
            body.put("secrets", secrets);
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).patch("/api/servers/" + serverId(alias))
                .then().statusCode(200);
        return alias;
    }

    long serverId(String alias) {
        return given().auth().oauth2(viewer).get("/api/servers/" + alias).then().statusCode(200).extract().<Number>path("id").longValue();
    }

    Response triggerWith(String server, Map<String, Object> parameters) {
        return given().auth().oauth2(operator).contentType(ContentType.JSON)
                .body(Map.of("server", server, "parameters", parameters)).post("/api/deployments");
    }

    @Test
    void parametersReachTheScriptExactlyAndHostileValuesAreInert() throws Exception {
        String alias = parameterised(PRINT + "\n[ -e pwned ] && echo PWNED; exit 0", java.util.List.of(
                Map.of("name", "TARGET", "type", "string", "required", true),
                Map.of("name", "DEBUG", "type", "boolean", "default", false),
                Map.of("name", "COUNT", "type", "integer", "min", 1, "max", 5, "default", 2)), null);
        String hostile = "it's $(touch pwned) `touch pwned` ; touch pwned\nline2 \"q\" ünïcødé \\ $HOME";
        Response r = triggerWith(alias, Map.of("TARGET", hostile, "REF", "v1.4.2", "DEBUG", true));
        r.then().statusCode(202).body("ref", equalTo("v1.4.2")).body("parameters.TARGET", equalTo(hostile))
                .body("parameters.COUNT", equalTo("2")).body("parameters.DEBUG", equalTo("true"));
        JsonPath d = awaitFinal(r.<Number>path("id").longValue());
        assertThat(d.getString("status")).isEqualTo("SUCCEEDED");
        String log = log(d.getLong("id"));
        assertThat(log).contains("out | REF=[v1.4.2]").contains("out | TARGET=[it's $(touch pwned) `touch pwned` ; touch pwned")
                .contains("out | line2 \"q\" ünïcødé \\ $HOME]").contains("out | DEBUG=[true]").contains("out | COUNT=[2]")
                .doesNotContain("PWNED");
        assertThat(Files.exists(DIR.resolve(alias).resolve("pwned"))).isFalse();

        // refused, naming the parameter, and nothing queued
        long before = queryLong("SELECT count(*) FROM deployments");
        triggerWith(alias, Map.of()).then().statusCode(400).body("detail", containsString("TARGET"));
        triggerWith(alias, Map.of("TARGET", "x", "NOPE", "1")).then().statusCode(400).body("detail", containsString("NOPE"));
        triggerWith(alias, Map.of("TARGET", "x", "COUNT", 9)).then().statusCode(400).body("detail", containsString("COUNT"));
        triggerWith(alias, Map.of("TARGET", "x", "COUNT", "two")).then().statusCode(400).body("detail", containsString("COUNT"));
        triggerWith(alias, Map.of("TARGET", "x", "DEBUG", "maybe")).then().statusCode(400).body("detail", containsString("DEBUG"));
        triggerWith(alias, Map.of("TARGET", "nul\u0000byte")).then().statusCode(400).body("detail", containsString("NUL"));
        triggerWith(alias, Map.of("TARGET", "x", "REF", "$(reboot)")).then().statusCode(400).body("detail", containsString("REF"));
        assertThat(queryLong("SELECT count(*) FROM deployments")).isEqualTo(before);

        // history filters by version
        given().auth().oauth2(viewer).get("/api/deployments?ref=v1.4.2&server=" + alias).then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].id", equalTo((int) d.getLong("id")));
    }

    @Test
    void badDeclarationsAreRefused() throws Exception {
        String alias = server("true", null);
        long id = serverId(alias);
        for (Object bad : java.util.List.of(
                java.util.List.of(Map.of("name", "lower")),
                java.util.List.of(Map.of("name", "PATH")),
                java.util.List.of(Map.of("name", "NODE_OPTIONS")),
                java.util.List.of(Map.of("name", "PERL5OPT")),
                java.util.List.of(Map.of("name", "GIT_SSH_COMMAND")),
                java.util.List.of(Map.of("name", "PYTHONSTARTUP")),
                java.util.List.of(Map.of("name", "GIT_CONFIG_COUNT")),
                java.util.List.of(Map.of("name", "A"), Map.of("name", "A")),
                java.util.List.of(Map.of("name", "A", "type", "choice")),
                java.util.List.of(Map.of("name", "A", "pattern", "(")),
                java.util.List.of(Map.of("name", "A", "type", "secret", "default", "abcd")),
                java.util.List.of(Map.of("name", "A", "type", "integer", "min", 5, "max", 1)))) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("parameters", bad))
                    .patch("/api/servers/" + id).then().statusCode(400).contentType(containsString("problem+json"));
        }
        given().auth().oauth2(viewer).get("/api/servers/" + id).then().body("parameters.size()", equalTo(0));
    }

    @Test
    void secretsNeverShowAndAreMaskedEvenAcrossACutLine() throws Exception {
        String token = "s3cr3t-Token-'$(x)`y`-" + "Z".repeat(40);
        String variable = "db-password-0123456789";
        // the secret straddles the 1000-byte cut of a long line
        String alias = parameterised("printf '%s' \"$(printf 'a%.0s' $(seq 1 990))\"; printf '%s\\n' \"$API_TOKEN\"\n"
                + "echo \"tok=$API_TOKEN pw=$DB_PASSWORD\"; ps -ef 2>/dev/null | grep -c s3cr3t-Token >/dev/null; "
                + "echo \"args=$(cat /proc/$$/cmdline 2>/dev/null | tr '\\0' ' ')\"",
                java.util.List.of(Map.of("name", "API_TOKEN", "type", "secret", "required", true)),
                Map.of("DB_PASSWORD", variable));
        given().auth().oauth2(viewer).get("/api/servers/" + alias).then().body("secret_names", org.hamcrest.Matchers.hasItem("DB_PASSWORD"))
                .body(org.hamcrest.Matchers.not(containsString(variable)));
        Response r = triggerWith(alias, Map.of("API_TOKEN", token));
        r.then().statusCode(202).body("parameters.API_TOKEN", equalTo("***"));
        assertThat(r.asString()).doesNotContain("s3cr3t");
        long id = r.<Number>path("id").longValue();
        JsonPath d = awaitFinal(id);
        assertThat(d.getString("status")).isEqualTo("SUCCEEDED");
        String log = log(id);
        assertThat(log).contains("out | tok=*** pw=***").contains("***").doesNotContain("s3cr3t").doesNotContain("Token-")
                .doesNotContain(variable).doesNotContain("ZZZZZZZZ");
        // the cut piece ends before the secret began; the rest of the line carries it masked whole
        assertThat(queryLong("SELECT count(*) FROM deployment_logs WHERE deployment_id = " + id + " AND text = repeat('a', 990)")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM deployment_logs WHERE deployment_id = " + id + " AND text = '***'")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM audit_events a WHERE a::text LIKE '%s3cr3t%' OR a::text LIKE '%db-password%'")).isZero();
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE parameters::text LIKE '%s3cr3t%' "
                + "OR coalesce(secret_parameters, '') LIKE '%s3cr3t%'")).isZero();

        // a re-run reuses the sealed secret
        Response again = given().auth().oauth2(operator).post("/api/deployments/" + id + "/rerun");
        again.then().statusCode(202).body("origin", equalTo("rerun")).body("origin_id", equalTo((int) id));
        JsonPath rerun = awaitFinal(again.<Number>path("id").longValue());
        assertThat(rerun.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(log(rerun.getLong("id"))).contains("out | tok=*** pw=***").doesNotContain("s3cr3t");
    }

    @Test
    void rollbackRunsTheLastSuccessAgainAndPromotionCarriesTheVersion() throws Exception {
        String alias = parameterised("echo \"ref=$REF\"; [ \"$REF\" != bad ]", java.util.List.of(), null);
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of())
                .post("/api/servers/" + alias + "/rollback").then().statusCode(409).body("detail", containsString("no deployment"));
        long first = awaitFinal(triggerWith(alias, Map.of("REF", "v1")).<Number>path("id").longValue()).getLong("id");
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of())
                .post("/api/servers/" + alias + "/rollback").then().statusCode(409).body("detail", containsString("no successful deployment"));
        JsonPath bad = awaitFinal(triggerWith(alias, Map.of("REF", "bad")).<Number>path("id").longValue());
        assertThat(bad.getString("status")).as(log(bad.getLong("id"))).isEqualTo("FAILED");
        Response rb = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of())
                .post("/api/servers/" + alias + "/rollback");
        rb.then().statusCode(202).body("ref", equalTo("v1")).body("origin", equalTo("rollback")).body("origin_id", equalTo((int) first));
        assertThat(awaitFinal(rb.<Number>path("id").longValue()).getString("status")).isEqualTo("SUCCEEDED");
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("to", bad.getLong("id")))
                .post("/api/servers/" + alias + "/rollback").then().statusCode(409);

        String production = parameterised("echo \"prod ref=$REF\"", java.util.List.of(), null);
        Response p = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", production))
                .post("/api/deployments/" + first + "/promote");
        p.then().statusCode(202).body("server", equalTo(production)).body("ref", equalTo("v1")).body("origin", equalTo("promotion"));
        JsonPath promoted = awaitFinal(p.<Number>path("id").longValue());
        assertThat(log(promoted.getLong("id"))).contains("out | prod ref=v1");
        given().auth().oauth2(viewer).post("/api/deployments/" + first + "/rerun").then().statusCode(403);
    }

    /**
     * A second rollback steps further back instead of going back to the release the first one left, and the plan names
     * both ends before anyone confirms: v1, v2, v3; roll back: v2; roll back again: v1 (not v3, not v2 again).
     */
    @Test
    void aSecondRollbackStepsFurtherBackAndThePlanNamesBothEnds() throws Exception {
        String alias = parameterised("echo \"ref=$REF\"", java.util.List.of(), null);
        long v1 = awaitFinal(triggerWith(alias, Map.of("REF", "v1")).<Number>path("id").longValue()).getLong("id");
        long v2 = awaitFinal(triggerWith(alias, Map.of("REF", "v2")).<Number>path("id").longValue()).getLong("id");
        long v3 = awaitFinal(triggerWith(alias, Map.of("REF", "v3")).<Number>path("id").longValue()).getLong("id");
        JsonPath plan = given().auth().oauth2(viewer).get("/api/servers/" + alias + "/rollback").then().statusCode(200).extract().jsonPath();
        assertThat(plan.getLong("from.deployment_id")).isEqualTo(v3);
        assertThat(plan.getString("from.ref")).isEqualTo("v3");
        assertThat(plan.getLong("to.deployment_id")).isEqualTo(v2);
        assertThat(plan.getList("candidates.ref")).containsExactly("v2", "v1");

        Response first = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of()).post("/api/servers/" + alias + "/rollback");
        first.then().statusCode(202).body("ref", equalTo("v2")).body("origin_id", equalTo((int) v2));
        long back = awaitFinal(first.<Number>path("id").longValue()).getLong("id");
        JsonPath again = given().auth().oauth2(viewer).get("/api/servers/" + alias + "/rollback").then().statusCode(200).extract().jsonPath();
        assertThat(again.getLong("from.deployment_id")).isEqualTo(back);
        assertThat(again.getString("to.ref")).isEqualTo("v1");
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of()).post("/api/servers/" + alias + "/rollback")
                .then().statusCode(202).body("ref", equalTo("v1")).body("origin_id", equalTo((int) v1));
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(Map.of()).post("/api/servers/" + alias + "/rollback")
                .then().statusCode(403);
    }

    @Test
    void aSecretTheLogCouldNotMaskLineByLineIsRefused() throws Exception {
        String alias = parameterised("echo \"tok=$API_TOKEN\"", java.util.List.of(Map.of("name", "API_TOKEN", "type", "secret")), null);
        for (String bad : java.util.List.of("abc", "ab\ncd", "long-enough-line\nxy", "line-one\r\nok\r\n")) {
            given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", alias, "parameters", Map.of("API_TOKEN", bad)))
                    .post("/api/deployments").then().statusCode(400).contentType(containsString("problem+json"))
                    .body("violations[0].field", equalTo("parameters.API_TOKEN"));
        }
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE server_alias = '" + alias + "'")).isZero();
        long id = serverId(alias);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("secrets", Map.of("DB_PASSWORD", "first-line\nab")))
                .patch("/api/servers/" + id).then().statusCode(400).body("violations[0].field", equalTo("secrets.DB_PASSWORD"));
        given().auth().oauth2(viewer).get("/api/servers/" + alias).then().body("secret_names", org.hamcrest.Matchers.not(
                org.hamcrest.Matchers.hasItem("DB_PASSWORD")));
        // every line long enough (blank lines mask nothing and are fine): accepted, and masked line by line
        long ok = awaitFinal(triggerWith(alias, Map.of("API_TOKEN", "line-one\n\nline-two")).<Number>path("id").longValue()).getLong("id");
        assertThat(log(ok)).doesNotContain("line-one").doesNotContain("line-two");
    }

    @Test
    void aPromotionKeepsASecretSealedOrIsRefused() throws Exception {
        String staging = parameterised("echo \"tok=$API_TOKEN\"",
                java.util.List.of(Map.of("name", "API_TOKEN", "type", "secret", "required", true)), null);
        long src = awaitFinal(triggerWith(staging, Map.of("API_TOKEN", "promo-s3cr3t-value")).<Number>path("id").longValue()).getLong("id");
        // the target declares the same name as a plain string: the opened value would be stored, shown and logged in clear
        String plain = parameterised("echo \"tok=$API_TOKEN\"", java.util.List.of(Map.of("name", "API_TOKEN", "type", "string")), null);
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", plain))
                .post("/api/deployments/" + src + "/promote").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("API_TOKEN"));
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE server_alias = '" + plain + "'")).isZero();
        // declared secret there too: promoted, sealed again, masked
        String sealed = parameterised("echo \"tok=$API_TOKEN\"", java.util.List.of(Map.of("name", "API_TOKEN", "type", "secret")), null);
        Response p = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", sealed))
                .post("/api/deployments/" + src + "/promote");
        p.then().statusCode(202).body("parameters.API_TOKEN", equalTo("***"));
        long promoted = awaitFinal(p.<Number>path("id").longValue()).getLong("id");
        assertThat(log(promoted)).contains("out | tok=***").doesNotContain("promo-s3cr3t-value");
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE parameters::text LIKE '%promo-s3cr3t%'")).isZero();
    }

    long trigger(String token, String server) {
        Response r = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("server", server))
                .post("/api/deployments");
        r.then().statusCode(202).body("status", equalTo("QUEUED")).body("links.log", notNullValue());
        return r.<Number>path("id").longValue();
    }

    JsonPath awaitFinal(long id) {
        return awaitFinal(viewer, id);
    }

    /** The deployment once it has a final status (at most 40 s), read with {@code token}. */
    static JsonPath awaitFinal(String token, long id) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = given().auth().oauth2(token).get("/api/deployments/" + id).then().statusCode(200).extract().jsonPath();
            String s = last[0].getString("status");
            return !s.equals("QUEUED") && !s.equals("RUNNING");
        });
        return last[0];
    }

    String log(long id) {
        return log(viewer, id);
    }

    static String log(String token, long id) {
        return given().auth().oauth2(token).get("/api/deployments/" + id + "/log").then().statusCode(200)
                .contentType(containsString("text/plain")).extract().asString();
    }

    @Test
    void successStreamsOutputIntoTheLogAndMasksSecrets() throws Exception {
        String alias = server("echo \"building in $(basename $PWD)\"\necho 'token=" + LEGACY_TOKEN + " pw=hunter2-secret'\n"
                + "echo warn >&2\necho done", null);
        Response r = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", alias, "note", "release 1.2"))
                .post("/api/deployments");
        r.then().statusCode(202);
        long id = r.<Number>path("id").longValue();
        assertThat(r.header("Location")).endsWith("/api/deployments/" + id);
        JsonPath d = awaitFinal(id);
        assertThat(d.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(d.getInt("exit_code")).isZero();
        assertThat(d.getString("note")).isEqualTo("release 1.2");
        assertThat(d.getString("server")).isEqualTo(alias);
        assertThat(d.getLong("duration_ms")).isNotNegative();
        assertThat(OffsetDateTime.parse(d.getString("finished_at"))).isAfterOrEqualTo(OffsetDateTime.parse(d.getString("started_at")));
        String log = log(id);
        assertThat(log).contains("out | building in " + alias).contains("err | warn").contains("out | done")
                .contains("sys | Finished: SUCCEEDED");
        assertThat(log).doesNotContain(LEGACY_TOKEN).doesNotContain("hunter2-secret").contains("token=*** pw=***");
    }

    @Test
    void outputBeyondTheCapIsDroppedAfterAVisibleMarker() throws Exception {
        String alias = server("i=0; while [ $i -lt 5000 ]; do echo \"line $i of a rather long deployment output\"; i=$((i+1)); done; echo last", null);
        JsonPath d = awaitFinal(trigger(operator, alias));
        assertThat(d.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(d.getBoolean("log_truncated")).isTrue();
        String log = log(d.getLong("id"));
        assertThat(log).contains("out | line 0 of").contains("[log truncated: more than 200000 bytes").doesNotContain("out | last").contains("sys | Finished: SUCCEEDED");
        assertThat(queryLong("SELECT sum(octet_length(text) + 1) FROM deployment_logs WHERE deployment_id = " + d.getLong("id")))
                .isLessThan(200_000 + 1000);
    }

    @Test
    void failureTimeoutAndHostKeyProblemsAreRecordedTruthfully() throws Exception {
        long failed = trigger(operator, server("echo partial\nexit 3", null));
        long timedOut = trigger(operator, server("echo slow\nsleep 30", 2));
        String mismatch = server("touch \"$PWD/ran\"", null);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("host_key", org.apache.sshd.common.config.keys.PublicKeyEntry.toString(TestSshServer.ecKeyPair().getPublic())))
                .put("/api/servers/" + mismatch + "/host-key").then().statusCode(404); // by id only
        long mismatchId = given().auth().oauth2(admin).get("/api/servers/" + mismatch).then().extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("host_key", org.apache.sshd.common.config.keys.PublicKeyEntry.toString(TestSshServer.ecKeyPair().getPublic())))
                .put("/api/servers/" + mismatchId + "/host-key").then().statusCode(200);
        long mismatched = trigger(operator, mismatch);

        JsonPath f = awaitFinal(failed);
        assertThat(f.getString("status")).isEqualTo("FAILED");
        assertThat(f.getInt("exit_code")).isEqualTo(3);
        assertThat(f.getString("error")).contains("status 3");
        JsonPath t = awaitFinal(timedOut);
        assertThat(t.getString("status")).isEqualTo("TIMED_OUT");
        JsonPath m = awaitFinal(mismatched);
        assertThat(m.getString("status")).isEqualTo("FAILED");
        assertThat(m.getString("error")).contains("Host key mismatch");
        assertThat(DIR.resolve(mismatch).resolve("ran")).doesNotExist();
        assertThat(log(mismatched)).contains("Host key mismatch");

        // the outcomes are counted in the Prometheus metrics (the events arrive asynchronously)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("trigger_deployments_finished_total{status=\"FAILED\"}")
                    .contains("trigger_deployments_finished_total{status=\"TIMED_OUT\"}")
                    .contains("trigger_ssh_errors_total{kind=\"HOST_KEY_MISMATCH\"}")
                    .contains("trigger_deployment_duration_seconds_bucket{status=\"FAILED\"")
                    .contains("trigger_deployments_running").contains("trigger_deployments_queued")
                    .contains("jvm_memory_used_bytes").contains("http_server_requests_seconds_count");
        });
    }

    @Test
    void unpinnedServersNeverRun() throws Exception {
        String alias = server("touch \"$PWD/ran\"", null);
        long sid = given().auth().oauth2(admin).get("/api/servers/" + alias).then().extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("host_key", ""))
                .patch("/api/servers/" + sid).then().statusCode(200);
        JsonPath d = awaitFinal(trigger(operator, alias));
        assertThat(d.getString("status")).isEqualTo("FAILED");
        assertThat(d.getString("error")).contains("no pinned host key");
        assertThat(DIR.resolve(alias).resolve("ran")).doesNotExist();
    }

    @Test
    void oneServerRunsOneAtATimeInOrderOthersInParallel() throws Exception {
        String a = server("echo start\nsleep 1.5\necho end", null);
        String b = server("echo start\nsleep 1.5\necho end", null);
        long a1 = trigger(operator, a);
        long a2 = trigger(operator, a);
        long b1 = trigger(operator, b);
        JsonPath ra1 = awaitFinal(a1);
        JsonPath ra2 = awaitFinal(a2);
        JsonPath rb1 = awaitFinal(b1);
        for (JsonPath r : new JsonPath[]{ra1, ra2, rb1}) {
            assertThat(r.getString("status")).isEqualTo("SUCCEEDED");
        }
        assertThat(OffsetDateTime.parse(ra2.getString("started_at")))
                .isAfterOrEqualTo(OffsetDateTime.parse(ra1.getString("finished_at")));
        assertThat(OffsetDateTime.parse(rb1.getString("started_at")))
                .as("another server does not wait").isBefore(OffsetDateTime.parse(ra1.getString("finished_at")));
    }

    @Test
    void cancelStopsARunningDeploymentAndDropsAQueuedOne() throws Exception {
        String alias = server("echo tick\nsleep 30\ntouch \"$PWD/finished\"", null);
        long running = trigger(operator, alias);
        long queued = trigger(operator, alias);
        await().atMost(Duration.ofSeconds(20)).until(() -> log(running).contains("out | tick"));
        given().auth().oauth2(viewer).post("/api/deployments/" + running + "/cancel").then().statusCode(403);
        given().auth().oauth2(operator).post("/api/deployments/" + queued + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
        given().auth().oauth2(operator).post("/api/deployments/" + running + "/cancel").then().statusCode(200);
        JsonPath r = awaitFinal(running);
        assertThat(r.getString("status")).isEqualTo("CANCELLED");
        assertThat(awaitFinal(queued).getString("started_at")).isNull();
        given().auth().oauth2(operator).post("/api/deployments/" + running + "/cancel").then().statusCode(409);
        assertThat(DIR.resolve(alias).resolve("finished")).doesNotExist();
    }

    @Test
    void rolesAndBadInput() throws Exception {
        String alias = server("echo hi", null);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(Map.of("server", alias)).post("/api/deployments")
                .then().statusCode(403);
        given().contentType(ContentType.JSON).body(Map.of("server", alias)).post("/api/deployments").then().statusCode(401);
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", "nowhere-" + alias))
                .post("/api/deployments").then().statusCode(404).body("detail", containsString("nowhere-" + alias));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of()).post("/api/deployments").then().statusCode(400);
        given().auth().oauth2(viewer).get("/api/deployments?status=BOGUS").then().statusCode(400);
        given().auth().oauth2(viewer).get("/api/deployments?from=yesterday").then().statusCode(400);
        given().auth().oauth2(viewer).get("/api/deployments/999999999").then().statusCode(404);
        long sid = given().auth().oauth2(admin).get("/api/servers/" + alias).then().extract().<Number>path("id").longValue();
        awaitFinal(trigger(operator, alias));
        given().auth().oauth2(admin).delete("/api/servers/" + sid).then().statusCode(409);
    }

    @Test
    void historyIsNewestFirstFilteredAndKeysetPaged() throws Exception {
        String alias = server("echo x", null);
        long first = trigger(operator, alias);
        long second = trigger(operator, alias);
        awaitFinal(second);
        JsonPath page1 = given().auth().oauth2(viewer).get("/api/deployments?server=" + alias + "&limit=1").then()
                .statusCode(200).extract().jsonPath();
        assertThat(page1.getLong("items[0].id")).isEqualTo(second);
        long cursor = page1.getLong("next_cursor");
        JsonPath page2 = given().auth().oauth2(viewer).get("/api/deployments?server=" + alias + "&limit=1&cursor=" + cursor)
                .then().statusCode(200).extract().jsonPath();
        assertThat(page2.getLong("items[0].id")).isEqualTo(first);
        given().auth().oauth2(viewer).get("/api/deployments?server=" + alias + "&status=SUCCEEDED&limit=10").then()
                .statusCode(200).body("items.size()", equalTo(2)).body("next_cursor", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void controlBytesAndTerminalEscapesNeitherEraseNorDriveTheLog() throws Exception {
        // a hostile target: a NUL byte (PostgreSQL refuses it in text), clear-screen, a window title, an OSC 8 link
        String alias = server("i=0; while [ $i -lt 20 ]; do echo before-$i; i=$((i+1)); done\n"
                + "printf 'nul-\\000-here\\n'\n"
                + "printf '\\033[2J\\033]0;owned-title\\007\\033]8;;http://127.0.0.1:9/\\033\\\\link\\033]8;;\\033\\\\ \\033[31mred\\033[0m\\n'\n"
                + "i=0; while [ $i -lt 20 ]; do echo after-$i; i=$((i+1)); done", null);
        long id = trigger(operator, alias);
        assertThat(awaitFinal(id).getString("status")).isEqualTo("SUCCEEDED");
        String text = log(id);
        assertThat(text).contains("out | before-0").contains("out | before-19").contains("out | after-0").contains("out | after-19")
                .contains("out | nul-\u2400-here").contains("out | link red")
                .doesNotContain("\u001B").doesNotContain("\u0000").doesNotContain("owned-title");
        assertThat(queryLong("SELECT count(*) FROM deployment_logs WHERE deployment_id = " + id + " AND stream = 'o'")).isEqualTo(42);
    }

    @Test
    void theOldTriggerContractKeepsWorking() throws Exception {
        String alias = server("echo legacy", null);
        Response r = given().queryParam("token", LEGACY_TOKEN).queryParam("server", alias.toUpperCase()).get("/trigger");
        r.then().statusCode(200).body("status", equalTo("started")).body("server", equalTo(alias))
                .body("deployment_id", notNullValue()).body("log_file", notNullValue()).body("timestamp", notNullValue())
                .body("message", notNullValue());
        JsonPath d = awaitFinal(r.<Number>path("deployment_id").longValue());
        assertThat(d.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(d.getString("requested_by")).isEqualTo("deploy-token");

        String opToken = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("name", unique("ci")))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        given().contentType(ContentType.JSON).body(Map.of("token", opToken, "server", alias)).post("/trigger").then().statusCode(200);
        String viewerToken = given().auth().oauth2(viewer).contentType(ContentType.JSON).body(Map.of("name", unique("ro")))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        long before = queryLong("SELECT count(*) FROM deployments");
        given().contentType(ContentType.JSON).body(Map.of("token", viewerToken, "server", alias)).post("/trigger").then().statusCode(403);
        given().queryParam("token", "wrong").queryParam("server", alias).get("/trigger").then().statusCode(403)
                .contentType("application/problem+json");
        given().queryParam("token", LEGACY_TOKEN).get("/trigger").then().statusCode(400);
        given().queryParam("token", LEGACY_TOKEN).queryParam("server", "no-such-" + alias).get("/trigger").then().statusCode(404)
                .body("detail", containsString("no-such-" + alias));
        assertThat(queryLong("SELECT count(*) FROM deployments")).isEqualTo(before);

        // the old tool's X-Deploy-Token header, for GET and POST; it wins over a token elsewhere
        given().header("X-Deploy-Token", LEGACY_TOKEN).queryParam("server", alias).get("/trigger").then().statusCode(200)
                .body("status", equalTo("started"));
        given().header("X-Deploy-Token", opToken).contentType(ContentType.JSON).body(Map.of("server", alias))
                .post("/trigger").then().statusCode(200);
        given().header("X-Deploy-Token", "wrong").queryParam("token", LEGACY_TOKEN).queryParam("server", alias)
                .get("/trigger").then().statusCode(403);
        assertThat(queryLong("SELECT count(*) FROM deployments")).isEqualTo(before + 2);

        // tokens sent in query strings reach neither the access log nor the application log
        TestLogs.awaitAccessLogged("\"GET /trigger HTTP");
        TestLogs.assertNoneContains(LEGACY_TOKEN, opToken, viewerToken);
    }

    @Test
    void liveStreamsAreCappedPerUser() throws Exception {
        long id = trigger(operator, server("sleep 30", null));
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        java.util.function.Function<String, java.net.http.HttpResponse<java.io.InputStream>> open = token -> {
            try {
                return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + io.restassured.RestAssured.port + "/api/deployments/" + id + "/events"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        java.util.List<java.net.http.HttpResponse<java.io.InputStream>> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(open.apply(viewer));
                assertThat(held.get(i).statusCode()).isEqualTo(200);
            }
            var fourth = open.apply(viewer);
            assertThat(fourth.statusCode()).isEqualTo(429);
            assertThat(fourth.headers().firstValue("Retry-After")).isPresent();
            assertThat(new String(fourth.body().readAllBytes())).contains("Too many live log streams");
            // another user is not affected
            var other = open.apply(operator);
            assertThat(other.statusCode()).isEqualTo(200);
            other.body().close();
            // closing a stream frees its slot
            held.remove(0).body().close();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                var again = open.apply(viewer);
                again.body().close();
                return again.statusCode() == 200;
            });
        } finally {
            for (var r : held) {
                r.body().close();
            }
            given().auth().oauth2(operator).post("/api/deployments/" + id + "/cancel");
        }
    }

    /** Opens the live stream of a deployment for {@code token}; the future completes when the service ends the stream. */
    static java.util.concurrent.CompletableFuture<Integer> follow(long id, String token) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + io.restassured.RestAssured.port + "/api/deployments/" + id + "/events"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(90)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (var lines = response.body()) {
                return (int) lines.count();
            }
        });
    }

    @Test
    void aLiveStreamEndsWhenItsReaderIsDeactivatedSignedOutEverywhereOrLosesSightOfTheServer() throws Exception {
        String env = unique("streamenv");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", env)).post("/api/environments").then().statusCode(201);
        String alias = server("echo started; sleep 40; echo done", null);
        long serverId = serverId(alias);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("environment", env)).patch("/api/servers/" + serverId)
                .then().statusCode(200);
        String[] names = new String[4];
        String[] tokens = new String[4];
        long[] ids = new long[4];
        for (int i = 0; i < 4; i++) {
            names[i] = unique("reader");
            ids[i] = createUser(admin, names[i], "reader-pass-1", "viewer");
            tokens[i] = login(names[i], "reader-pass-1");
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("environment", env, "user", names[i], "permission", "view"))
                    .post("/api/grants").then().statusCode(201);
        }
        long id = trigger(admin, alias);
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> streams = new java.util.ArrayList<>();
        for (String token : tokens) {
            streams.add(follow(id, token));
        }
        // deactivated, signed out everywhere, its grant taken (others still hold theirs): each of those three streams ends
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/users/" + ids[0])
                .then().statusCode(200);
        given().auth().oauth2(tokens[1]).post("/api/me/sign-out-everywhere").then().statusCode(204);
        long grant = given().auth().oauth2(admin).queryParam("environment", env).get("/api/grants").then().statusCode(200).extract()
                .jsonPath().<Number>getList("findAll { it.user == '" + names[2] + "' }.id").get(0).longValue();
        given().auth().oauth2(admin).delete("/api/grants/" + grant).then().statusCode(204);
        for (int i = 0; i < 3; i++) {
            streams.get(i).get(15, java.util.concurrent.TimeUnit.SECONDS);
        }
        // the fourth reader may still read: their stream goes on until the deployment ends
        assertThat(streams.get(3)).isNotDone();
        assertThat(given().auth().oauth2(admin).get("/api/deployments/" + id).then().extract().<String>path("status")).isEqualTo("RUNNING");
        given().auth().oauth2(admin).post("/api/deployments/" + id + "/cancel").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        streams.get(3).get(30, java.util.concurrent.TimeUnit.SECONDS);
        // and the readers who lost it are refused when their EventSource comes back
        given().auth().oauth2(tokens[2]).accept("text/event-stream").get("/api/deployments/" + id + "/events").then().statusCode(404);
        given().auth().oauth2(tokens[0]).accept("text/event-stream").get("/api/deployments/" + id + "/events").then().statusCode(401);
    }

    /** One parsed Server-Sent Event. */
    record Sse(String id, String name, String data) {
    }

    /** Reads the event stream until the final status event (bounded by a timeout). */
    static java.util.List<Sse> readEvents(long id, String token, String lastEventId) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://localhost:" + io.restassured.RestAssured.port + "/api/deployments/" + id + "/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60));
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        var resp = client.send(req.GET().build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(resp.statusCode()).isEqualTo(200);
        java.util.List<Sse> out = new java.util.ArrayList<>();
        String[] cur = new String[3];
        var it = resp.body().iterator();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (it.hasNext() && System.nanoTime() < deadline) {
            String line = it.next();
            if (line.isEmpty()) {
                if (cur[2] != null) {
                    out.add(new Sse(cur[0], cur[1], cur[2]));
                    if ("status".equals(cur[1])) {
                        break;
                    }
                }
                cur = new String[3];
            } else if (line.startsWith("id:")) {
                cur[0] = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                cur[1] = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                cur[2] = line.substring(5).trim();
            }
        }
        return out;
    }

    @Test
    void eventsStreamLinesLiveInOrderAndResumeFromLastEventId() throws Exception {
        String alias = server("for i in 1 2 3 4 5 6; do echo \"line $i\"; sleep 0.3; done", null);
        long id = trigger(operator, alias);
        var all = readEvents(id, viewer, null);
        var lines = all.stream().filter(e -> "line".equals(e.name())).toList();
        assertThat(all).last().extracting(Sse::name).isEqualTo("status");
        assertThat(all.get(all.size() - 1).data()).contains("\"status\":\"SUCCEEDED\"");
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).id()).isEqualTo(String.valueOf(i + 1));
        }
        var outputs = lines.stream().map(Sse::data).filter(d -> d.contains("\"stream\":\"out\"")).toList();
        assertThat(outputs).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(outputs.get(i)).contains("line " + (i + 1));
        }
        var resumed = readEvents(id, viewer, "3");
        var resumedLines = resumed.stream().filter(e -> "line".equals(e.name())).toList();
        assertThat(resumedLines.get(0).id()).isEqualTo("4");
        assertThat(resumedLines).hasSize(lines.size() - 3);
        assertThat(resumed).last().extracting(Sse::name).isEqualTo("status");
        given().auth().oauth2(viewer).get("/api/deployments/999999999/events").then().statusCode(404);
        given().get("/api/deployments/" + id + "/events").then().statusCode(401);
    }

    /** Lines handed over in memory and lines read from the database meet without a gap or a repeat. */
    @Test
    void aBurstOfLinesReachesEveryStreamExactlyOnceAndResumesExactly() throws Exception {
        String alias = server("i=0; while [ $i -lt 5000 ]; do echo \"burst $i\"; i=$((i+1)); done", null);
        long id = trigger(operator, alias);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var fromStart = pool.submit(() -> readEvents(id, viewer, null));
            var resumed = pool.submit(() -> readEvents(id, viewer, "100"));
            var a = fromStart.get(90, java.util.concurrent.TimeUnit.SECONDS);
            var b = resumed.get(90, java.util.concurrent.TimeUnit.SECONDS);
            long stored = queryLong("SELECT count(*) FROM deployment_logs WHERE deployment_id = " + id);
            assertThat(stored).isGreaterThan(5000);
            for (var events : java.util.List.of(a, b)) {
                assertThat(events).last().extracting(Sse::name).isEqualTo("status");
                assertThat(events.get(events.size() - 1).data()).contains("\"status\":\"SUCCEEDED\"");
            }
            var idsA = a.stream().filter(e -> "line".equals(e.name())).map(e -> Long.parseLong(e.id())).toList();
            var idsB = b.stream().filter(e -> "line".equals(e.name())).map(e -> Long.parseLong(e.id())).toList();
            assertThat(idsA).isEqualTo(java.util.stream.LongStream.rangeClosed(1, stored).boxed().toList());
            assertThat(idsB).isEqualTo(java.util.stream.LongStream.rangeClosed(101, stored).boxed().toList());
            assertThat(a.stream().filter(e -> e.data().contains("burst 4999"))).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A reader that stops reading while 90,000 lines pour out (some 9 MB of events, far more than the socket buffers
     * hold): the stream waits for the socket instead of piling the log up in memory, and when the reader goes on it gets
     * every line once, in order, then the status.
     */
    @Test
    void aStalledReaderGetsEveryLineOnceWhenItReadsAgain() throws Exception {
        String alias = server("yes x | head -n 90000", null);
        long id = trigger(operator, alias);
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + io.restassured.RestAssured.port + "/api/deployments/" + id + "/events"))
                .header("Authorization", "Bearer " + viewer).timeout(Duration.ofSeconds(120)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        // the reader stalls until the deployment is over (far more than the socket buffers hold), then reads it all
        awaitFinal(id);
        java.util.List<Long> ids = new java.util.ArrayList<>();
        String lastEvent = null;
        int slowLines = 0;
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            String event = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (String line = reader.readLine(); line != null && System.nanoTime() < deadline; line = reader.readLine()) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                    lastEvent = event;
                } else if (line.startsWith("id: ") && !line.isEmpty()) {
                    ids.add(Long.parseLong(line.substring(4)));
                } else if (line.startsWith("data: ") && "line".equals(event) && line.contains("\"text\":\"x\"")) {
                    slowLines++;
                }
                if ("status".equals(event) && line.startsWith("data: ")) {
                    break;
                }
            }
        }
        long stored = queryLong("SELECT count(*) FROM deployment_logs WHERE deployment_id = " + id);
        assertThat(stored).isGreaterThan(90_000);
        assertThat(ids).isEqualTo(java.util.stream.LongStream.rangeClosed(1, stored).boxed().toList());
        assertThat(slowLines).isEqualTo(90_000);
        assertThat(lastEvent).isEqualTo("status");
    }

    @Test
    void statisticsAreComputedPerWindowAndServer() throws Exception {
        String alias = server("[ -f \"$PWD/failed-once\" ] || { touch \"$PWD/failed-once\"; exit 1; }", null);
        assertThat(awaitFinal(trigger(operator, alias)).getString("status")).isEqualTo("FAILED");
        assertThat(awaitFinal(trigger(operator, alias)).getString("status")).isEqualTo("SUCCEEDED");
        JsonPath stats = given().auth().oauth2(viewer).get("/api/deployments/stats").then().statusCode(200).extract().jsonPath();
        for (String w : new String[]{"24h", "7d", "30d"}) {
            String mine = "windows.'" + w + "'.servers.find { it.server == '" + alias + "' }";
            assertThat(stats.getLong(mine + ".total")).isEqualTo(2);
            assertThat(stats.getLong(mine + ".succeeded")).isEqualTo(1);
            assertThat(stats.getDouble(mine + ".success_rate")).isEqualTo(0.5);
            assertThat(stats.getDouble(mine + ".p95_duration_ms")).isNotNull();
            assertThat(stats.getLong("windows.'" + w + "'.by_status.SUCCEEDED")).isPositive();
        }
    }

    @Test
    void retentionRemovesOldDeploymentsWithTheirLogs() throws Throwable {
        String alias = server("echo x", null);
        long sid = given().auth().oauth2(admin).get("/api/servers/" + alias).then().extract().<Number>path("id").longValue();
        long old = queryLong("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, "
                + "finished_at) VALUES (" + sid + ", '" + alias + "', 'SUCCEEDED', 'x', 'api', now() - interval '41 days', "
                + "now() - interval '41 days', now() - interval '40 days') RETURNING id");
        update("INSERT INTO deployment_logs VALUES (" + old + ", 1, now(), 'o', 'old line')");
        long recent = awaitFinal(trigger(operator, alias)).getLong("id");
        int removed = io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> repository.purgeOlderThan(30));
        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE id = " + old)).isZero();
        assertThat(queryLong("SELECT count(*) FROM deployment_logs WHERE deployment_id = " + old)).isZero();
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE id = " + recent)).isEqualTo(1);
    }

    @Test
    void theReaperInterruptsDeploymentsOfDeadReplicas() throws Exception {
        String alias = server("echo x", null);
        long sid = given().auth().oauth2(admin).get("/api/servers/" + alias).then().extract().<Number>path("id").longValue();
        long id = queryLong("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, started_at, "
                + "claimed_by, lease_until) VALUES (" + sid + ", '" + alias + "', 'RUNNING', 'x', 'api', now() - interval '1 minute', "
                + "'dead-replica', now() - interval '1 second') RETURNING id");
        JsonPath d = awaitFinal(id);
        assertThat(d.getString("status")).isEqualTo("INTERRUPTED");
        assertThat(d.getString("error")).contains("dead-replica");
        // the server is free again
        assertThat(awaitFinal(trigger(operator, alias)).getString("status")).isEqualTo("SUCCEEDED");
    }
}
