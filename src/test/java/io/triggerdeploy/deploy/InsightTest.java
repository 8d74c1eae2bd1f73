package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.analytics.InsightMetrics;
import io.triggerdeploy.support.Deploys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * The four DORA keys from real deployments whose times are then set to a known timeline (ten days ago), a push's commit
 * time, and a watched service's checks: each figure and band as the definitions say, narrowed to an environment and a
 * server, and hidden servers counted for no one who may not see them.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class InsightTest extends DeployApiTest {

    @Inject
    InsightMetrics metrics;

    private long deployed(String server, String ref, String status) {
        long id = accepted(given().auth().oauth2(operator).contentType("application/json")
                .body(Map.of("server", server, "parameters", Map.of("REF", ref))).post("/api/deployments"));
        awaitStatus(id, status);
        return id;
    }

    /** The release matrix: environments in the order versions were promoted, what runs on each server, and who lags. */
    @Test
    void theReleaseMatrixFollowsThePromotionOrderAndMarksTheServerThatDiffers() throws Exception {
        String staging = environment(Map.of());
        String production = environment(Map.of());
        String s1 = server(staging, "echo \"deploying $REF\"");
        List<String> prod = List.of(server(production, "echo ok"), server(production, "echo ok"), server(production, "echo ok"));
        long first = deployed(s1, "v1", "SUCCEEDED");
        for (String p : prod) {
            long id = accepted(given().auth().oauth2(operator).contentType("application/json").body(Map.of("server", p))
                    .post("/api/deployments/" + first + "/promote"));
            awaitStatus(id, "SUCCEEDED");
        }
        deployed(s1, "v2", "SUCCEEDED");
        deployed(s1, "v3", "SUCCEEDED");
        deployed(prod.get(2), "v9", "SUCCEEDED");

        JsonPath m = given().auth().oauth2(viewer).get("/api/insight/releases").then().statusCode(200).extract().jsonPath();
        List<String> order = m.getList("environments.environment", String.class);
        assertThat(order.indexOf(staging)).isNotNegative().isLessThan(order.indexOf(production));
        String row = "environments.find { it.environment == '" + production + "' }";
        assertThat(m.getString(row + ".ref")).isEqualTo("v1");
        assertThat(m.getString(row + ".previous")).isEqualTo(staging);
        assertThat(m.getInt(row + ".behind")).isEqualTo(2);
        assertThat(m.getString(row + ".summary")).isEqualTo("mixed: 2 × v1, 1 × v9");
        assertThat(m.getList(row + ".servers.findAll { it.differs }.server", String.class)).containsExactly(prod.get(2));
        assertThat(m.getString("environments.find { it.environment == '" + staging + "' }.summary")).isEqualTo("converged on v3");

        // the page says the same
        String page = given().auth().oauth2(viewer).get("/releases").then().statusCode(200).extract().asString();
        assertThat(page).contains("mixed: 2 × v1, 1 × v9").contains(staging + " is ahead by 2 versions").contains("differs");
    }

    /** Sets a deployment's times to T0 (ten days ago) plus the given minutes. */
    private static void at(long id, long requested, long started, long finished) throws Exception {
        update("UPDATE deployments SET requested_at = now() - interval '10 days' + interval '" + requested + " minutes', "
                + "queued_at = now() - interval '10 days' + interval '" + requested + " minutes', "
                + "started_at = now() - interval '10 days' + interval '" + started + " minutes', "
                + "finished_at = now() - interval '10 days' + interval '" + finished + " minutes' WHERE id = " + id);
    }

    @Test
    void theFourKeysFollowTheirDefinitionsOverRealDeployments() throws Exception {
        String env = environment(Map.of());
        String a = server(env, "echo \"deploying $REF\"");
        String b = server(env, "[ ! -f broken ] || exit 3; echo \"deploying $REF\"");
        String v1 = unique("v1-");
        String v2 = unique("v2-");
        long d1 = deployed(a, v1, "SUCCEEDED");
        long d2 = deployed(a, v2, "SUCCEEDED");
        long d3 = deployed(a, v1, "SUCCEEDED"); // an earlier version again within a day: v2 was a change failure
        Files.writeString(DeploymentTest.DIR.resolve(b).resolve("broken"), "");
        long d4 = deployed(b, v2, "FAILED");
        Files.delete(DeploymentTest.DIR.resolve(b).resolve("broken"));
        long d5 = deployed(b, v2, "SUCCEEDED");
        long day = 24 * 60;
        at(d1, 0, 1, 2);
        at(d2, day, day + 1, day + 2);
        at(d3, day + 60, day + 60, day + 61);
        at(d4, 2 * day, 2 * day, 2 * day + 1);
        at(d5, 2 * day + 30, 2 * day + 30, 2 * day + 31);
        // v2's commit was made two hours before its first success in the environment (a push said so)
        update("INSERT INTO ref_commits (ref, committed_at) VALUES ('" + v2 + "', now() - interval '10 days' + interval '" + (day + 2 - 120)
                + " minutes')");
        // a watched service of a went DOWN 10 minutes after d3 and was UP again 15 minutes later
        update("INSERT INTO services (name, kind, target, interval_seconds, timeout_ms, server_id, active) VALUES ('" + unique("svc-")
                + "', 'tcp', '127.0.0.1:1', 60, 1000, (SELECT id FROM servers WHERE alias = '" + a + "'), false)");
        String service = "(SELECT id FROM services WHERE server_id = (SELECT id FROM servers WHERE alias = '" + a + "'))";
        update("INSERT INTO service_checks (service_id, checked_at, status, cause) VALUES (" + service + ", now() - interval '10 days' + interval '"
                + (day + 71) + " minutes', 'DOWN', 'schedule'), (" + service + ", now() - interval '10 days' + interval '" + (day + 86)
                + " minutes', 'UP', 'schedule')");

        JsonPath r = given().auth().oauth2(viewer).queryParam("environment", env).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("environment")).isEqualTo(env);
        // 4 successes in 30 days: 0.133 a day, less than weekly
        assertThat(r.getLong("deployment_frequency.deployments")).isEqualTo(4);
        assertThat(r.getDouble("deployment_frequency.per_day")).isEqualTo(0.133);
        assertThat(r.getString("deployment_frequency.band")).isEqualTo("medium");
        // v1: 2 minutes from its first request; v2: 2 hours from its commit
        assertThat(r.getLong("lead_time.changes")).isEqualTo(2);
        assertThat(r.getLong("lead_time.median_seconds")).isEqualTo(120);
        assertThat(r.getLong("lead_time.p90_seconds")).isEqualTo(7200);
        assertThat(r.getString("lead_time.band")).isEqualTo("elite");
        // d4 failed; d2 was followed by an earlier version; d2 and d3 by the service going DOWN: 3 of 5
        assertThat(r.getLong("change_failure_rate.deployments")).isEqualTo(5);
        assertThat(r.getLong("change_failure_rate.failed")).isEqualTo(3);
        assertThat(r.getDouble("change_failure_rate.rate")).isEqualTo(0.6);
        assertThat(r.getString("change_failure_rate.band")).isEqualTo("low");
        // the DOWN (15 min) and the failed deployment restored by the next success (30 min)
        assertThat(r.getLong("time_to_restore.incidents")).isEqualTo(2);
        assertThat(r.getLong("time_to_restore.median_seconds")).isEqualTo(900);
        assertThat(r.getLong("time_to_restore.p90_seconds")).isEqualTo(1800);
        assertThat(r.getString("time_to_restore.band")).isEqualTo("elite");
        assertThat(r.getString("definitions.bands")).contains("2023");
        assertThat(r.getString("definitions.change_failure_rate")).contains("24 h");

        // the same as Prometheus series per environment (over the last 30 days)
        metrics.refresh().await().atMost(java.time.Duration.ofSeconds(30));
        String scraped = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(scraped).contains("trigger_insight_change_failure_ratio{environment=\"" + env + "\"} 0.6")
                .contains("trigger_insight_lead_time_median_seconds{environment=\"" + env + "\"} 120.0")
                .contains("trigger_insight_time_to_restore_median_seconds{environment=\"" + env + "\"} 900.0")
                .contains("trigger_insight_deployments_per_day{environment=\"" + env + "\"} 0.133");

        // one server: b alone failed once and succeeded once; a period before all of it is empty
        JsonPath onB = given().auth().oauth2(viewer).queryParam("server", b).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(onB.getLong("change_failure_rate.deployments")).isEqualTo(2);
        assertThat(onB.getLong("change_failure_rate.failed")).isEqualTo(1);
        // a group of a and b is the whole environment here; a group of a alone has a's three deployments
        String both = unique("g-");
        String onlyA = unique("g-");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", both, "servers", List.of(a, b))).post("/api/groups")
                .then().statusCode(201);
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", onlyA, "servers", List.of(a))).post("/api/groups")
                .then().statusCode(201);
        assertThat(given().auth().oauth2(viewer).queryParam("group", both).get("/api/insight").then().statusCode(200).extract().jsonPath()
                .getDouble("change_failure_rate.rate")).isEqualTo(0.6);
        JsonPath groupA = given().auth().oauth2(viewer).queryParam("group", onlyA).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(groupA.getString("group")).isEqualTo(onlyA);
        assertThat(groupA.getLong("change_failure_rate.deployments")).isEqualTo(3);
        given().auth().oauth2(viewer).queryParam("group", "no-such-group").get("/api/insight").then().statusCode(404);
        assertThat(given().auth().oauth2(viewer).queryParam("group", onlyA).get("/api/insight/trend").then().statusCode(200).extract().jsonPath()
                .getList("deployments", Long.class).stream().mapToLong(Long::longValue).sum()).isEqualTo(3);
        JsonPath before = given().auth().oauth2(viewer).queryParam("environment", env).queryParam("from", "2020-01-01").queryParam("to", "2020-01-31")
                .get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(before.getLong("deployment_frequency.deployments")).isZero();
        assertThat(before.getString("lead_time.band")).isNull();
        assertThat(before.getString("change_failure_rate.rate")).isNull();

        // bad input names its field; a server hidden from the caller is unknown to them and counts nowhere for them
        given().auth().oauth2(viewer).queryParam("from", "yesterday").get("/api/insight").then().statusCode(400)
                .body("detail", containsString("from"));
        given().auth().oauth2(viewer).queryParam("from", "2026-02-01").queryParam("to", "2026-01-01").get("/api/insight").then().statusCode(400);
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("environment", env, "user", "nobody-" + unique("x"),
                "permission", "view")).post("/api/grants").then().statusCode(400);
        String team = unique("insight-");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", team)).post("/api/teams").then().statusCode(201);
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("environment", env, "team", team, "permission", "view"))
                .post("/api/grants").then().statusCode(201);
        given().auth().oauth2(viewer).queryParam("server", b).get("/api/insight").then().statusCode(404);
        JsonPath hidden = given().auth().oauth2(viewer).queryParam("environment", env).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(hidden.getLong("change_failure_rate.deployments")).isZero();
        assertThat(given().auth().oauth2(admin).queryParam("environment", env).get("/api/insight").then().statusCode(200).extract().jsonPath()
                .getLong("change_failure_rate.deployments")).isEqualTo(5);
    }
}
