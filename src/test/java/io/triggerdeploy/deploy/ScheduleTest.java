package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.schedule.ScheduleService;
import io.triggerdeploy.support.Deploys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Scheduled deployments on PostgreSQL and the in-process SSH server: once per due run, policy, missed runs, bad input. */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class ScheduleTest extends DeployApiTest {

    @Inject
    ScheduleService schedules;

    String server(String environment) throws IOException {
        String alias = unique("sch");
        Path work = Files.createDirectories(DeploymentTest.DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"ran $REF\" >> runs\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        Map<String, Object> body = new HashMap<>(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(),
                "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine(),
                "parameters", List.of(Map.of("name", "TOKEN", "type", "secret"))));
        if (environment != null) {
            body.put("environment", environment);
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers").then().statusCode(201);
        return alias;
    }

    long schedule(Map<String, Object> body) {
        return given().auth().oauth2(operator).contentType(ContentType.JSON).body(body).post("/api/schedules")
                .then().log().ifValidationFails().statusCode(201).extract().<Number>path("id").longValue();
    }

    JsonPath get(long id) {
        return given().auth().oauth2(viewer).get("/api/schedules/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Makes a schedule due now (or {@code ago} seconds ago), as if its time had come. */
    static void due(long id, int ago) throws Exception {
        update("UPDATE schedules SET next_run_at = date_trunc('second', now()) - interval '" + ago + " seconds' WHERE id = " + id);
    }

    static long runs(long scheduleId) throws Exception {
        return queryLong("SELECT count(*) FROM deployments WHERE source = 'schedule' AND note LIKE '%(schedule #" + scheduleId + ",%'");
    }

    @Test
    void aDueRunDeploysOnceThroughTheUsualPathAndTheScheduleMovesOn() throws Throwable {
        String alias = server(null);
        long id = schedule(Map.of("server", alias, "cron", "0 4 * * *", "time_zone", "Europe/Berlin", "description", "nightly",
                "parameters", Map.of("REF", "main")));
        JsonPath s = get(id);
        OffsetDateTime next = OffsetDateTime.parse(s.getString("next_run_at"));
        assertThat(next).isAfter(OffsetDateTime.now());
        assertThat(next.atZoneSameInstant(java.time.ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(4);
        assertThat(s.getMap("parameters")).containsEntry("REF", "main");

        due(id, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> runs(id) == 1);
        long deployment = queryLong("SELECT max(id) FROM deployments WHERE note LIKE '%(schedule #" + id + ",%'");
        JsonPath d = given().auth().oauth2(viewer).get("/api/deployments/" + deployment).then().statusCode(200).extract().jsonPath();
        assertThat(d.getString("source")).isEqualTo("schedule");
        assertThat(d.getString("ref")).isEqualTo("main");
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(viewer)
                .get("/api/deployments/" + deployment).path("status")));
        JsonPath after = get(id);
        assertThat(after.getString("last_outcome")).isEqualTo("queued #" + deployment);
        assertThat(OffsetDateTime.parse(after.getString("next_run_at"))).isAfter(OffsetDateTime.now());
        assertThat(queryString("SELECT via FROM audit_events WHERE target = '#" + deployment + " " + alias + "' AND action = 'deployment.triggered'"))
                .isEqualTo("schedule");
        // more rounds, driven here rather than waited for: still one run
        for (int i = 0; i < 3; i++) {
            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> schedules.tick());
        }
        assertThat(runs(id)).isEqualTo(1);
    }

    @Test
    void aScheduleStartsItsRolloutOnceAsItsCreatorAndABadRolloutIsRefusedByItsField() throws Throwable {
        List<String> fleet = List.of(server(null), server(null));
        String group = unique("schfleet");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers", fleet))
                .post("/api/groups").then().statusCode(201);
        Map<String, Object> rollout = Map.of("target", Map.of("group", group), "strategy", "rolling", "ref", "v7");
        java.util.function.Function<Map<String, Object>, io.restassured.response.Response> create = body -> given().auth().oauth2(operator)
                .contentType(ContentType.JSON).body(body).post("/api/schedules");
        create.apply(Map.of("rollout", Map.of("target", Map.of("group", group), "batch", "150%"), "cron", "0 4 * * *")).then()
                .statusCode(400).contentType(containsString("problem+json")).body("violations[0].field", equalTo("rollout.batch"));
        create.apply(Map.of("rollout", rollout, "server", fleet.get(0), "cron", "0 4 * * *")).then().statusCode(400)
                .body("violations[0].field", equalTo("server"));
        create.apply(Map.of("rollout", rollout, "parameters", Map.of("REF", "x"), "cron", "0 4 * * *")).then().statusCode(400)
                .body("violations[0].field", equalTo("parameters"));
        create.apply(Map.of("rollout", rollout, "cron", "61 4 * * *")).then().statusCode(400).body("violations[0].field", equalTo("cron"));

        long id = schedule(Map.of("rollout", rollout, "cron", "0 4 * * *", "description", "nightly fleet"));
        JsonPath s = get(id);
        assertThat(s.getString("rollout.target.group")).isEqualTo(group);
        assertThat(s.getString("server")).isNull();
        given().auth().oauth2(viewer).get("/api/schedules").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem((int) id));
        // it keeps its kind
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", fleet.get(0))).put("/api/schedules/" + id)
                .then().statusCode(400).body("violations[0].field", equalTo("server"));

        due(id, 0);
        String started = "SELECT count(*) FROM rollouts WHERE note LIKE '%(schedule #" + id + ",%'";
        await().atMost(Duration.ofSeconds(20)).until(() -> queryLong(started) == 1);
        for (int i = 0; i < 3; i++) {
            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> schedules.tick());
        }
        assertThat(queryLong(started)).isEqualTo(1);
        long rolloutId = queryLong("SELECT max(id) FROM rollouts WHERE note LIKE '%(schedule #" + id + ",%'");
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(viewer)
                .get("/api/rollouts/" + rolloutId).path("status")));
        given().auth().oauth2(viewer).get("/api/rollouts/" + rolloutId).then().body("ref", equalTo("v7"))
                .body("created_by", equalTo(s.getString("created_by"))).body("waves.size()", equalTo(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> ("started rollout #" + rolloutId).equals(get(id).getString("last_outcome")));
        assertThat(OffsetDateTime.parse(get(id).getString("next_run_at"))).isAfter(OffsetDateTime.now());
        // paused and deleted by an operator who may start it
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("enabled", false)).put("/api/schedules/" + id)
                .then().statusCode(200).body("enabled", equalTo(false));
        given().auth().oauth2(operator).delete("/api/schedules/" + id).then().statusCode(204);
    }

    /**
     * A rollout schedule's due run is claimed, its rollout created and the schedule moved on in one transaction: while the
     * rollout cannot be written (a trigger refuses it here, as a crash at that point would), the run is not spent and
     * nothing half-made stays; once it can, the next tick starts it exactly once.
     */
    @Test
    void aRunWhoseRolloutCannotBeWrittenIsNotSpentAndStartsOnceWhenItCan() throws Throwable {
        String group = unique("schatomic");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers", List.of(server(null))))
                .post("/api/groups").then().statusCode(201);
        long id = schedule(Map.of("rollout", Map.of("target", Map.of("group", group), "ref", "v8"), "cron", "0 4 * * *"));
        String started = "SELECT count(*) FROM rollouts WHERE note LIKE '%(schedule #" + id + ",%'";
        update("CREATE OR REPLACE FUNCTION test_refuse_rollout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.note LIKE '%(schedule #" + id + ",%' THEN RAISE EXCEPTION 'rollout refused for the test'; END IF; "
                + "RETURN NEW; END $$");
        update("DROP TRIGGER IF EXISTS test_refuse_rollout ON rollouts");
        update("CREATE TRIGGER test_refuse_rollout BEFORE INSERT ON rollouts FOR EACH ROW EXECUTE FUNCTION test_refuse_rollout()");
        try {
            due(id, 0);
            String dueAt = get(id).getString("next_run_at");
            for (int i = 0; i < 3; i++) {
                io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> schedules.tick());
            }
            assertThat(queryLong(started)).isZero();
            assertThat(get(id).getString("next_run_at")).as("the run is not spent").isEqualTo(dueAt);
            assertThat(get(id).getString("last_run_at")).isNull();
        } finally {
            update("DROP TRIGGER IF EXISTS test_refuse_rollout ON rollouts");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queryLong(started) == 1);
        for (int i = 0; i < 3; i++) {
            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> schedules.tick());
        }
        assertThat(queryLong(started)).isEqualTo(1);
        assertThat(get(id).getString("last_outcome")).startsWith("started rollout #");
        assertThat(OffsetDateTime.parse(get(id).getString("next_run_at"))).isAfter(OffsetDateTime.now());
    }

    @Test
    void manyTicksAtOnceCreateEachDueRunExactlyOnce() throws Exception {
        String alias = server(null);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(schedule(Map.of("server", alias, "cron", "*/5 * * * *")));
        }
        update("UPDATE schedules SET next_run_at = date_trunc('second', now()) WHERE id = ANY(ARRAY" + ids + "::bigint[])");
        // the periodic tick and four more at the same moment, as if five replicas found the same rows
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> ticks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ticks.add(pool.submit(() -> {
                    try {
                        VertxContextSupport.subscribeAndAwait(() -> schedules.tick());
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Future<?> f : ticks) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queryLong("SELECT count(*) FROM schedules WHERE id = ANY(ARRAY" + ids
                + "::bigint[]) AND next_run_at > now()") == ids.size());
        for (long id : ids) {
            assertThat(runs(id)).as("runs of schedule %d", id).isEqualTo(1);
        }
    }

    @Test
    void aRunInAFreezeIsSkippedAndApprovalsApply() throws Exception {
        String frozen = unique("sfrz-");
        Instant now = Instant.now();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", frozen, "freeze_windows", List.of(Map.of(
                "start", now.minusSeconds(60).toString(), "end", now.plusSeconds(3600).toString(), "reason", "audit week"))))
                .post("/api/environments").then().statusCode(201);
        long skipped = schedule(Map.of("server", server(frozen), "cron", "0 * * * *"));
        due(skipped, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> get(skipped).getString("last_outcome") != null);
        assertThat(get(skipped).getString("last_outcome")).startsWith("skipped: ").contains("audit week");
        assertThat(runs(skipped)).isZero();
        assertThat(get(skipped).getBoolean("enabled")).isTrue();

        String gated = unique("sgate-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", gated, "required_approvals", 1))
                .post("/api/environments").then().statusCode(201);
        long waiting = schedule(Map.of("server", server(gated), "cron", "0 * * * *"));
        due(waiting, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> runs(waiting) == 1);
        assertThat(get(waiting).getString("last_outcome")).startsWith("awaiting approval as #");
        assertThat(queryString("SELECT status FROM deployments WHERE note LIKE '%(schedule #" + waiting + ",%'")).isEqualTo("AWAITING_APPROVAL");
    }

    @Test
    void whoeverChangedAScheduleCountsAsARequesterOfItsRunsAndCannotApproveThem() throws Exception {
        String gated = unique("sedit-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", gated, "required_approvals", 1))
                .post("/api/environments").then().statusCode(201);
        long id = schedule(Map.of("server", server(gated), "cron", "0 * * * *"));
        String editorName = unique("editor");
        createUser(admin, editorName, "editor-pass-1", "operator");
        String editor = login(editorName, "editor-pass-1");
        // the creator's schedule, changed by another operator: what runs is now the editor's choice
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("parameters", Map.of("REF", "v-editor")))
                .put("/api/schedules/" + id).then().statusCode(200).body("updated_by", equalTo(editorName))
                .body("created_by", org.hamcrest.Matchers.not(equalTo(editorName)));
        due(id, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> runs(id) == 1);
        long run = queryLong("SELECT id FROM deployments WHERE note LIKE '%(schedule #" + id + ",%'");
        assertThat(queryString("SELECT note FROM deployments WHERE id = " + run)).contains("last changed by " + editorName);
        assertThat(waitingFor(editor)).doesNotContain(run);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("comment", "looks fine"))
                .post("/api/deployments/" + run + "/approve").then().statusCode(403)
                .body("detail", containsString("You changed the schedule"));
        assertThat(queryString("SELECT status FROM deployments WHERE id = " + run)).isEqualTo("AWAITING_APPROVAL");
        assertThat(waitingFor(admin)).contains(run);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("comment", "second pair of eyes"))
                .post("/api/deployments/" + run + "/approve").then().statusCode(200);

        // the next run still deploys what the editor chose: they stay a requester though they changed nothing since
        due(id, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> runs(id) == 2);
        long next = queryLong("SELECT max(id) FROM deployments WHERE note LIKE '%(schedule #" + id + ",%'");
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("comment", "mine"))
                .post("/api/deployments/" + next + "/approve").then().statusCode(403);
    }

    @Test
    void missedRunsAreNotReplayedUnlessTheScheduleCatchesUpOnceAndAOneOffRunsOnce() throws Exception {
        String alias = server(null);
        long plain = schedule(Map.of("server", alias, "cron", "*/10 * * * *"));
        long catchUp = schedule(Map.of("server", alias, "cron", "*/10 * * * *", "catch_up", "last"));
        due(plain, 3600);
        due(catchUp, 3600);
        await().atMost(Duration.ofSeconds(20)).until(() -> get(plain).getString("last_outcome") != null
                && get(catchUp).getString("last_outcome") != null);
        assertThat(get(plain).getString("last_outcome")).startsWith("missed the run due");
        assertThat(runs(plain)).isZero();
        assertThat(get(catchUp).getString("last_outcome")).contains("catching up a missed run");
        assertThat(runs(catchUp)).isEqualTo(1);

        long once = schedule(Map.of("server", alias, "run_at", Instant.now().plusSeconds(2).toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> runs(once) == 1);
        JsonPath done = get(once);
        assertThat(done.getBoolean("enabled")).isFalse();
        assertThat(done.getString("next_run_at")).isNull();
    }

    @Test
    void badSchedulesAreRefusedNamingTheFieldAndChangeNothing() throws Exception {
        String alias = server(null);
        long before = queryLong("SELECT count(*) FROM schedules");
        Map<String, Map<String, Object>> bad = Map.of(
                "cron", Map.of("server", alias, "cron", "61 * * * *"),
                "run_at", Map.of("server", alias, "cron", "* * * * *", "run_at", "2030-01-01T00:00:00Z"),
                "time_zone", Map.of("server", alias, "cron", "0 * * * *", "time_zone", "Atlantis/Main"),
                "parameters.TOKEN", Map.of("server", alias, "cron", "0 * * * *", "parameters", Map.of("TOKEN", "hunter2")),
                "parameters.NOPE", Map.of("server", alias, "cron", "0 * * * *", "parameters", Map.of("NOPE", "x")),
                "catch_up", Map.of("server", alias, "cron", "0 * * * *", "catch_up", "all"));
        bad.forEach((field, body) -> given().auth().oauth2(operator).contentType(ContentType.JSON).body(body).post("/api/schedules")
                .then().statusCode(400).contentType(containsString("application/problem+json")).body("violations[0].field", equalTo(field)));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", alias, "run_at", "2020-01-01T00:00:00Z"))
                .post("/api/schedules").then().statusCode(400).body("violations[0].field", equalTo("run_at"));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", "no-such-server", "cron", "0 * * * *"))
                .post("/api/schedules").then().statusCode(404);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(Map.of("server", alias, "cron", "0 * * * *"))
                .post("/api/schedules").then().statusCode(403);
        assertThat(queryLong("SELECT count(*) FROM schedules")).isEqualTo(before);

        // changing: switched off, it has no next run; deleting it removes it
        long id = schedule(Map.of("server", alias, "cron", "0 * * * *"));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("enabled", false)).put("/api/schedules/" + id)
                .then().statusCode(200).body("enabled", equalTo(false)).body("next_run_at", org.hamcrest.Matchers.nullValue())
                .body("cron", equalTo("0 * * * *"));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("enabled", true, "cron", "30 6 * * MON"))
                .put("/api/schedules/" + id).then().statusCode(200).body("next_run_at", org.hamcrest.Matchers.notNullValue());
        given().auth().oauth2(operator).delete("/api/schedules/" + id).then().statusCode(204);
        given().auth().oauth2(viewer).get("/api/schedules/" + id).then().statusCode(404);
    }
}
