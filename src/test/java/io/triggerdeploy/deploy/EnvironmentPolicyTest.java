package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.Deploys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Environments as records and their policies, end to end on PostgreSQL and the in-process SSH server: approvals (the
 * two-person rule), freezes and deploy hours (refuse or queue until they end), break glass, and the environment's queue
 * policy.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class EnvironmentPolicyTest extends DeployApiTest {

    String approver;

    @BeforeEach
    void approver() {
        String name = unique("ap");
        createUser(admin, name, "approver-pass", "operator");
        approver = login(name, "approver-pass");
    }

    static Path runs(String alias) {
        return DeploymentTest.DIR.resolve(alias).resolve("runs");
    }

    @Test
    void environmentsAreRecordsThatOnlyAdminsChangeAndServersNameThem() throws Exception {
        // a server naming a new environment makes it a record with an empty policy, which changes nothing
        String fresh = unique("staging-");
        String alias = server(fresh, "echo ok >> runs");
        JsonPath env = given().auth().oauth2(viewer).get("/api/environments/" + fresh.toUpperCase()).then().statusCode(200)
                .extract().jsonPath();
        assertThat(env.getInt("required_approvals")).isZero();
        assertThat(env.getList("servers")).containsExactly(alias);
        awaitStatus(accepted(trigger(operator, alias, null)), "SUCCEEDED");

        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("name", unique("x"))).post("/api/environments")
                .then().statusCode(403);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", fresh.toUpperCase())).post("/api/environments")
                .then().statusCode(409).contentType(containsString("application/problem+json"));

        // bad policies are refused naming the field, and change nothing
        String before = given().auth().oauth2(viewer).get("/api/environments/" + fresh).then().extract().asString();
        Map<String, Map<String, Object>> bad = Map.of(
                "time_zone", Map.of("time_zone", "Mars/Olympus"),
                "required_approvals", Map.of("required_approvals", 9),
                "deploy_hours.from", Map.of("deploy_hours", Map.of("days", List.of("MON"), "from", "9am", "to", "17:00")),
                "weekly_freezes[0].days", Map.of("weekly_freezes", List.of(Map.of("days", List.of("Caturday"), "from", "01:00", "to", "02:00"))),
                "freeze_windows[0].end", Map.of("freeze_windows", List.of(Map.of("start", "2026-12-20T00:00:00Z", "end", "2026-12-01T00:00:00Z"))),
                "freeze_action", Map.of("freeze_action", "ignore"),
                "name", Map.of("name", "other-name"));
        bad.forEach((field, body) -> given().auth().oauth2(admin).contentType(ContentType.JSON).body(body)
                .put("/api/environments/" + fresh).then().statusCode(400).contentType(containsString("application/problem+json"))
                .body("violations[0].field", equalTo(field)));
        assertThat(given().auth().oauth2(viewer).get("/api/environments/" + fresh).then().extract().asString()).isEqualTo(before);

        // an environment with servers cannot be deleted; an empty one can
        given().auth().oauth2(admin).delete("/api/environments/" + fresh).then().statusCode(409).body("detail", containsString(alias));
        String empty = environment(Map.of());
        given().auth().oauth2(admin).delete("/api/environments/" + empty).then().statusCode(204);
        given().auth().oauth2(viewer).get("/api/environments/" + empty).then().statusCode(404);
    }

    @Test
    void aDeploymentNeedsItsApprovalsFromOtherPeopleBeforeItRuns() throws Exception {
        String env = environment(Map.of("required_approvals", 2));
        String alias = server(env, "echo ran >> runs");
        long id = accepted(trigger(operator, alias, null));
        JsonPath d = get(id);
        assertThat(d.getString("status")).isEqualTo("AWAITING_APPROVAL");
        assertThat(d.getString("environment")).isEqualTo(env);
        assertThat(d.getInt("approval.required")).isEqualTo(2);
        assertThat(waitingFor(approver)).contains(id);
        assertThat(waitingFor(operator)).doesNotContain(id);
        assertThat(waitingFor(viewer)).isEmpty();

        decide(operator, id, "approve", "looks fine to me").then().statusCode(403).body("detail", containsString("someone else"));
        decide(viewer, id, "approve", null).then().statusCode(403);
        decide(approver, id, "approve", "checked the diff").then().statusCode(200).body("status", equalTo("AWAITING_APPROVAL"))
                .body("approval.given", equalTo(1));
        decide(approver, id, "approve", null).then().statusCode(409).body("detail", containsString("already decided"));
        assertThat(waitingFor(approver)).doesNotContain(id);
        // for longer than the dispatchers' poll, nothing runs with one approval of two
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(runs(alias)) && "AWAITING_APPROVAL".equals(get(id).getString("status")));

        decide(admin, id, "approve", null).then().statusCode(200).body("status", equalTo("QUEUED"));
        awaitStatus(id, "SUCCEEDED");
        assertThat(Files.readAllLines(runs(alias))).containsExactly("ran");
        JsonPath done = get(id);
        assertThat(done.getList("approval.decisions.decision")).containsExactly("approve", "approve");
        assertThat(done.getList("approval.decisions.comment")).containsExactly("checked the diff", null);
        decide(approver, id, "reject", "too late").then().statusCode(409);
    }

    @Test
    void aRejectedOrExpiredDeploymentNeverRuns() throws Exception {
        String env = environment(Map.of("required_approvals", 1, "approval_timeout_minutes", 5));
        String alias = server(env, "echo ran >> runs");
        long rejected = accepted(trigger(operator, alias, null));
        decide(approver, rejected, "reject", null).then().statusCode(400).body("violations[0].field", equalTo("comment"));
        assertThat(get(rejected).getString("status")).isEqualTo("AWAITING_APPROVAL");
        decide(approver, rejected, "reject", "not during the incident").then().statusCode(200).body("status", equalTo("REJECTED"))
                .body("error", containsString("not during the incident"));
        decide(admin, rejected, "approve", null).then().statusCode(409);

        long expired = accepted(trigger(operator, alias, null));
        OffsetDateTime expiresAt = OffsetDateTime.parse(get(expired).getString("approval.expires_at"));
        assertThat(expiresAt).isBetween(OffsetDateTime.now().plusMinutes(4), OffsetDateTime.now().plusMinutes(6));
        update("UPDATE deployments SET approval_expires_at = now() - interval '1 second' WHERE id = " + expired);
        decide(approver, expired, "approve", null).then().statusCode(409).body("detail", containsString("approval window"));
        awaitStatus(expired, "EXPIRED");

        long cancelled = accepted(trigger(operator, alias, null));
        given().auth().oauth2(operator).post("/api/deployments/" + cancelled + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(runs(alias)));
    }

    @Test
    void concurrentApprovalsAreCountedOnceEachAndQueueTheDeploymentOnce() throws Exception {
        String env = environment(Map.of("required_approvals", 2));
        String alias = server(env, "echo ran >> runs");
        List<String> approvers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = unique("cc");
            createUser(admin, name, "approver-pass", "operator");
            approvers.add(login(name, "approver-pass"));
        }
        long id = accepted(trigger(operator, alias, null));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> codes = new ArrayList<>();
            for (String token : approvers) {
                codes.add(pool.submit((Callable<Integer>) () -> {
                    go.await();
                    return decide(token, id, "approve", null).statusCode();
                }));
            }
            go.countDown();
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : codes) {
                got.add(f.get());
            }
            // two approvals queue it; the others find it no longer waiting
            assertThat(got.stream().filter(c -> c == 200).count()).isEqualTo(2);
            assertThat(got.stream().filter(c -> c == 409).count()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
        awaitStatus(id, "SUCCEEDED");
        assertThat(queryLong("SELECT count(*) FROM deployment_approvals WHERE deployment_id = " + id)).isEqualTo(2);
        assertThat(Files.readAllLines(runs(alias))).containsExactly("ran");
    }

    @Test
    void aFreezeRefusesWithTheWindowAndReasonUnlessItQueuesOrGlassIsBroken() throws Exception {
        Instant now = Instant.now();
        Map<String, Object> freeze = Map.of("start", now.minusSeconds(60).toString(), "end", now.plusSeconds(3600).toString(),
                "reason", "Year-end freeze");
        String strict = environment(Map.of("freeze_windows", List.of(freeze)));
        String alias = server(strict, "echo ran >> runs");
        long before = queryLong("SELECT count(*) FROM deployments");
        trigger(operator, alias, null).then().statusCode(409).contentType(containsString("application/problem+json"))
                .body("detail", containsString("Year-end freeze")).body("held.kind", equalTo("freeze"))
                .body("held.reason", equalTo("Year-end freeze")).body("held.environment", equalTo(strict))
                .body("held.until", containsString("T"));
        // break glass only where the environment allows it, and only with a reason
        trigger(operator, alias, "database is on fire").then().statusCode(403).body("detail", containsString("does not allow break glass"));
        assertThat(queryLong("SELECT count(*) FROM deployments")).isEqualTo(before);

        String lenient = environment(Map.of("freeze_windows", List.of(freeze), "break_glass", true, "required_approvals", 2));
        String urgent = server(lenient, "echo ran >> runs");
        trigger(operator, urgent, " ").then().statusCode(400).body("violations[0].field", equalTo("break_glass"));
        long glass = accepted(trigger(operator, urgent, "hotfix for the outage"));
        assertThat(get(glass).getString("break_glass")).isEqualTo("hotfix for the outage");
        awaitStatus(glass, "SUCCEEDED");
        JsonPath audit = given().auth().oauth2(admin).get("/api/audit?action=deployment.triggered&limit=50").then().statusCode(200)
                .extract().jsonPath();
        assertThat(audit.getList("items.detail", String.class)).anyMatch(x -> x.contains("BREAK GLASS: hotfix for the outage"));

        // a rollback is a trigger too: held by the freeze, unless glass is broken for it
        awaitStatus(accepted(trigger(operator, urgent, "second hotfix")), "SUCCEEDED");
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of()).post("/api/servers/" + urgent + "/rollback")
                .then().statusCode(409).body("held.kind", equalTo("freeze"));
        long rollback = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("break_glass", "second hotfix broke checkout"))
                .post("/api/servers/" + urgent + "/rollback").then().statusCode(202).body("origin", equalTo("rollback"))
                .body("break_glass", equalTo("second hotfix broke checkout")).extract().<Number>path("id").longValue();
        awaitStatus(rollback, "SUCCEEDED");
    }

    @Test
    void aTriggerInsideAFreezeThatQueuesWaitsForItsEndAndDeployHoursHoldToo() throws Exception {
        Instant end = Instant.now().plusSeconds(4);
        String env = environment(Map.of("freeze_action", "queue", "freeze_windows", List.of(Map.of(
                "start", Instant.now().minusSeconds(60).toString(), "end", end.toString(), "reason", "release train"))));
        String alias = server(env, "echo ran >> runs");
        long id = accepted(trigger(operator, alias, null));
        JsonPath d = get(id);
        assertThat(d.getString("status")).isEqualTo("QUEUED");
        assertThat(OffsetDateTime.parse(d.getString("not_before")).toInstant()).isEqualTo(end.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        // held while the freeze lasts (watched until shortly before it ends), then it runs
        long watch = Math.max(200, Duration.between(Instant.now(), end).toMillis() - 1000);
        await().during(Duration.ofMillis(watch)).atMost(Duration.ofMillis(watch + 2000)).pollInterval(Duration.ofMillis(100))
                .until(() -> "QUEUED".equals(get(id).getString("status")));
        awaitStatus(id, "SUCCEEDED");
        assertThat(OffsetDateTime.parse(get(id).getString("started_at")).toInstant()).isAfterOrEqualTo(end.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

        // deploy hours that exclude now: refused with when they open
        java.time.ZonedDateTime utc = Instant.now().atZone(ZoneOffset.UTC);
        String from = String.format("%02d:00", utc.plusHours(2).getHour());
        String to = String.format("%02d:00", utc.plusHours(3).getHour());
        String hours = environment(Map.of("deploy_hours", Map.of("days", List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"),
                "from", from, "to", to)));
        trigger(operator, server(hours, "echo ran >> runs"), null).then().statusCode(409)
                .body("held.kind", equalTo("outside deploy hours")).body("detail", containsString(from + "-" + to));
    }

    @Test
    void anEnvironmentsQueuePolicyAppliesToAllItsServers() throws Exception {
        String env = environment(Map.of("queue_policy", "reject"));
        String alias = server(env, "sleep 1.5; echo ran >> runs");
        long running = accepted(trigger(operator, alias, null));
        trigger(operator, alias, null).then().statusCode(409).body("detail", containsString("queue policy is reject"));
        awaitStatus(running, "SUCCEEDED");
        given().auth().oauth2(viewer).get("/api/environments/" + env).then().statusCode(200).body("queue_policy", equalTo("reject"));
    }

    @Test
    void theLegacyTriggerAndReRunsGoThroughTheSamePolicy() throws Exception {
        String env = environment(Map.of("required_approvals", 1));
        String alias = server(env, "echo ran >> runs");
        long first = accepted(trigger(operator, alias, null));
        decide(approver, first, "approve", null).then().statusCode(200);
        awaitStatus(first, "SUCCEEDED");
        given().auth().oauth2(operator).post("/api/deployments/" + first + "/rerun").then().statusCode(202)
                .body("status", equalTo("AWAITING_APPROVAL"));
        // the shared token says nobody: its holder could approve their own deployment, so it is refused where approvals apply
        given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", alias).get("/trigger").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("DEPLOY_TOKEN"));
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE server_alias = '" + alias + "' AND status = 'AWAITING_APPROVAL'"))
                .isEqualTo(1);
        // an operator's own API token through the old route names them, and waits for someone else
        String own = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("name", unique("legacy"), "expires_in_days", 1))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        given().queryParam("token", own).queryParam("server", alias).get("/trigger").then().statusCode(200);
        assertThat(queryLong("SELECT count(*) FROM deployments WHERE server_alias = '" + alias + "' AND status = 'AWAITING_APPROVAL'"))
                .isEqualTo(2);
        // the shared token still deploys where no approval is needed
        String open = server(environment(Map.of()), "echo ran >> runs");
        given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", open).get("/trigger").then().statusCode(200);
    }
}
