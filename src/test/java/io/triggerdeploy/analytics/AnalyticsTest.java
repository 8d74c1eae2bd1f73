package io.triggerdeploy.analytics;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Analytics are computed from the rows: known rows give known figures. */
@QuarkusTest
class AnalyticsTest extends ApiTest {

    @Test
    void figuresComeFromTheRows() throws Exception {
        String admin = adminToken();
        String alias = unique("stats-");
        String user = unique("u");
        Number serverId = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201).extract().path("id");
        String tag = unique("boom").replaceAll("[0-9]", "x");
        // three successes (1 s, 2 s, 3 s), two failures with the same reason but other numbers, one timeout; all today
        String insert = "INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, "
                + "finished_at, duration_ms, exit_code, error) VALUES ";
        String v = "(" + serverId + ", '" + alias + "', '%s', '" + user + "', 'api', now() - interval '%d minutes', "
                + "now() - interval '%d minutes', now(), %d, %s, %s)";
        update(insert + String.join(",",
                String.format(v, "SUCCEEDED", 5, 5, 1000, "0", "NULL"),
                String.format(v, "SUCCEEDED", 4, 4, 2000, "0", "NULL"),
                String.format(v, "SUCCEEDED", 3, 3, 3000, "0", "NULL"),
                String.format(v, "FAILED", 2, 2, 4000, "3", "'" + tag + " exited with 3'"),
                String.format(v, "FAILED", 1, 1, 5000, "4", "'" + tag + " exited with 4'"),
                String.format(v, "TIMED_OUT", 1, 1, 6000, "NULL", "'" + tag + " timed out after 6 s'")));

        JsonPath j = given().auth().oauth2(admin).get("/api/analytics?days=7").then().statusCode(200).extract().jsonPath();
        assertThat(j.getBoolean("empty")).isFalse();
        Map<String, Object> server = j.getMap("per_server.find { it.name == '" + alias + "' }");
        assertThat(server).containsEntry("total", 6).containsEntry("succeeded", 3).containsEntry("finished", 6);
        assertThat(((Number) server.get("success_rate")).doubleValue()).isCloseTo(0.5, within(1e-9));
        assertThat(((Number) server.get("mean_duration_ms")).doubleValue()).isEqualTo(3500.0);
        // p95 of 1..6 s, interpolated: 5.75 s
        assertThat(((Number) server.get("p95_duration_ms")).doubleValue()).isEqualTo(5750.0);
        assertThat(j.getMap("per_user.find { it.name == '" + user + "' }")).containsEntry("total", 6);

        List<Map<String, Object>> reasons = j.getList("failure_reasons.findAll { it.reason.contains('" + tag + "') }");
        assertThat(reasons).anySatisfy(r -> {
            assertThat(r).containsEntry("status", "FAILED").containsEntry("count", 2);
            assertThat((String) r.get("reason")).endsWith("exited with N");
        });
        assertThat(reasons).anySatisfy(r -> assertThat(r).containsEntry("status", "TIMED_OUT").containsEntry("count", 1));

        // the window is filled day by day and hour by hour; the parts add up to the whole
        List<Map<String, Object>> days = j.getList("per_day");
        assertThat(days).hasSize(7);
        long total = j.getLong("totals.total");
        assertThat(days.stream().mapToLong(d -> ((Number) d.get("total")).longValue()).sum()).isEqualTo(total);
        assertThat(j.getList("busiest_hours")).hasSize(24);
        assertThat(j.getList("busiest_hours.total", Integer.class).stream().mapToLong(Integer::longValue).sum()).isEqualTo(total);
        Map<String, Object> today = days.get(6);
        assertThat(((Number) ((Map<?, ?>) today.get("by_status")).get("TIMED_OUT")).longValue()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void statsAndAnalyticsAgreeOnTheSameRowsAndACancelBeforeStartIsNotFinished() throws Exception {
        String admin = adminToken();
        String alias = unique("agree-");
        Number serverId = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201).extract().path("id");
        String v = "(" + serverId + ", '" + alias + "', '%s', 'agree', 'api', now() - interval '%d minutes', %s, %s, %s)";
        // two successes, one failure, one cancelled while running, one cancelled before it started, one still queued
        update("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, "
                + "finished_at, duration_ms) VALUES " + String.join(",",
                String.format(v, "SUCCEEDED", 6, "now() - interval '6 minutes'", "now()", "1000"),
                String.format(v, "SUCCEEDED", 5, "now() - interval '5 minutes'", "now()", "3000"),
                String.format(v, "FAILED", 4, "now() - interval '4 minutes'", "now()", "5000"),
                String.format(v, "CANCELLED", 3, "now() - interval '3 minutes'", "now()", "7000"),
                String.format(v, "CANCELLED", 2, "NULL", "now()", "NULL"),
                String.format(v, "QUEUED", 1, "NULL", "NULL", "NULL")));

        Map<String, Object> analytics = given().auth().oauth2(admin).get("/api/analytics?days=1").then().statusCode(200)
                .extract().jsonPath().getMap("per_server.find { it.name == '" + alias + "' }");
        // each replica recomputes the stats at most every 15 s: wait for a round that includes these rows
        Map<String, Object> stats = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> given().auth().oauth2(admin).get("/api/deployments/stats").then().statusCode(200).extract().jsonPath()
                        .<String, Object>getMap("windows.'24h'.servers.find { it.server == '" + alias + "' }"), m -> m != null);
        for (Map<String, Object> figures : List.of(analytics, stats)) {
            assertThat(figures).containsEntry("total", 6).containsEntry("succeeded", 2).containsEntry("finished", 4);
            assertThat(((Number) figures.get("success_rate")).doubleValue()).isEqualTo(0.5);
            assertThat(((Number) figures.get("mean_duration_ms")).doubleValue()).isEqualTo(4000.0);
        }
        assertThat(((Number) stats.get("p95_duration_ms")).doubleValue())
                .isEqualTo(((Number) analytics.get("p95_duration_ms")).doubleValue(), within(0.1));
    }

    @Test
    void nothingInTheWindowIsZerosAndSaysSo() {
        String admin = adminToken();
        String alias = unique("quiet-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201);
        JsonPath j = given().auth().oauth2(admin).get("/api/analytics?days=30&server=" + alias).then().statusCode(200).extract().jsonPath();
        assertThat(j.getBoolean("empty")).isTrue();
        assertThat(j.getLong("totals.total")).isZero();
        assertThat(j.getString("totals.success_rate")).isNull();
        assertThat(j.getList("per_day")).hasSize(30);
        assertThat(j.getList("per_day.total", Integer.class)).containsOnly(0);
        assertThat(j.getList("busiest_hours.total", Integer.class)).hasSize(24).containsOnly(0);
        assertThat(j.getList("per_server")).isEmpty();
        assertThat(j.getList("failure_reasons")).isEmpty();
    }

    @Test
    void badWindowsAre400AndViewersMayRead() {
        RoleTokens t = roleTokens();
        given().auth().oauth2(t.viewer()).get("/api/analytics").then().statusCode(200);
        given().auth().oauth2(t.viewer()).get("/api/analytics?days=0").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(t.viewer()).get("/api/analytics?days=400").then().statusCode(400);
        given().auth().oauth2(t.viewer()).get("/api/analytics?days=abc").then().statusCode(400);
        given().get("/api/analytics").then().statusCode(401);
    }
}
