package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.analytics.InsightMetrics;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.support.Deploys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * The four DORA keys from what really happened (a signed push with its commit time, deployments that pass, fail their
 * verify step and are rolled back, a watched service that goes DOWN after a deployment and comes back): each figure
 * equals the value computed by hand from the stored times, narrowed to an environment, a server and a group, and hidden
 * servers count for no one who may not see them.
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

    /** The seconds from one stored time to another, as the definitions count them (whole seconds, rounded). */
    private static long seconds(String fromSql, String toSql) throws Exception {
        return queryLong("SELECT extract(epoch FROM (" + toSql + ") - (" + fromSql + "))::bigint");
    }

    private static String ended(long id) {
        return "SELECT finished_at FROM deployments WHERE id = " + id;
    }

    private long rolledBack(String server, String status) {
        long id = accepted(given().auth().oauth2(operator).contentType("application/json").body(Map.of()).post("/api/servers/" + server + "/rollback"));
        awaitStatus(id, status);
        return id;
    }

    private long check(long service, String status) {
        JsonPath c = given().auth().oauth2(admin).post("/api/services/" + service + "/check").then().statusCode(200).extract().jsonPath();
        assertThat(c.getString("status")).isEqualTo(status);
        return service;
    }

    private static String sha() {
        return java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    }

    /** A signed GitHub push of {@code sha}, its commit made at {@code committed}, to a new hook of {@code server}: the deployment it queued. */
    private long pushed(String server, String sha, String committed) {
        Map<String, Object> hook = given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("name", unique("push-"), "server", server, "kind", "github")).post("/api/hooks").then().statusCode(201).extract().jsonPath().getMap("");
        String push = "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"head_commit\":{\"message\":\"x\",\"timestamp\":\"" + committed + "\"}}";
        return given().contentType("application/json").header("X-GitHub-Event", "push").header("X-GitHub-Delivery", java.util.UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + Signatures.hmacHex("sha256", (String) hook.get("secret"), push.getBytes(StandardCharsets.UTF_8)))
                .body(push).post((String) hook.get("url")).then().statusCode(202).extract().jsonPath().getLong("id");
    }

    /**
     * A version deployed through the API before the push that carries it arrives (a CI job that deploys first): its lead
     * time counts from its first request until the push says when its commit was made, and from that commit after.
     */
    @Test
    void aCommitTimeThatArrivesAfterTheDeploymentCountsFromThen() throws Exception {
        String env = environment(Map.of());
        String a = server(env, "echo \"deploying $REF\"");
        String sha = sha();
        long first = deployed(a, sha, "SUCCEEDED");
        JsonPath before = given().auth().oauth2(viewer).queryParam("environment", env).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(before.getLong("lead_time.changes")).isEqualTo(1);
        assertThat(before.getLong("lead_time.median_seconds")).isEqualTo(seconds("SELECT requested_at FROM deployments WHERE id = " + first, ended(first)));

        String committed = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusHours(3).withNano(0).toString();
        awaitStatus(pushed(a, sha, committed), "SUCCEEDED");
        JsonPath after = given().auth().oauth2(viewer).queryParam("environment", env).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(after.getLong("lead_time.changes")).isEqualTo(1);
        assertThat(after.getLong("lead_time.median_seconds")).isEqualTo(seconds("SELECT '" + committed + "'::timestamptz", ended(first)))
                .isBetween(3 * 3600L, 3 * 3600L + 300);
        assertThat(after.getLong("deployment_frequency.deployments")).isEqualTo(2);
    }

    /**
     * Every figure from what really happened, in the order an operator would see it: a signed push whose commit was made
     * two hours earlier deploys it; a version passes; another fails its verify step and is rolled back; a version that
     * passed is then rolled back; on a second server a watched service goes DOWN after a deployment and comes back.
     */
    @Test
    void theFourKeysFollowTheirDefinitionsOverRealDeployments() throws Exception {
        String env = environment(Map.of());
        String a = server(env, "echo \"$REF\" > current; echo \"deploying $REF\"");
        Files.writeString(DeploymentTest.DIR.resolve(a).resolve("verify.sh"), "[ \"$(cat current)\" != broken ]\n");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("steps", Map.of("verify", Map.of("commands", List.of("sh verify.sh")))))
                .patch("/api/servers/" + given().auth().oauth2(viewer).get("/api/servers/" + a).then().statusCode(200).extract().<Number>path("id"))
                .then().statusCode(200);
        String b = server(env, "echo \"deploying $REF\"");
        String v1 = unique("v1-");
        String v2 = unique("v2-");

        // a signed push: its commit was made two hours before, and it deploys that commit on a
        String sha = sha();
        String committed = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusHours(2).withNano(0).toString();
        long d1 = pushed(a, sha, committed);
        awaitStatus(d1, "SUCCEEDED");
        long d2 = deployed(a, v1, "SUCCEEDED");
        long d3 = deployed(a, "broken", "FAILED");
        assertThat(get(d3).getString("failed_step")).isEqualTo("verify");
        long d4 = rolledBack(a, "SUCCEEDED"); // back to v1: restores the failure, marks nothing (v1 was not the change that failed)
        assertThat(get(d4).getString("ref")).isEqualTo(v1);
        long d5 = deployed(a, v2, "SUCCEEDED");
        long d6 = rolledBack(a, "SUCCEEDED"); // v2 rolled back to v1 within the window: v2 was a change failure
        assertThat(get(d6).getString("ref")).isEqualTo(v1);

        // b: a watched service goes DOWN after a deployment there and is UP again
        long d7;
        long service;
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listening.getLocalPort();
            service = given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", unique("svc-"), "kind", "tcp",
                            "target", "127.0.0.1:" + port, "interval_seconds", 3600, "timeout_ms", 1000, "server", b))
                    .post("/api/services").then().statusCode(201).extract().jsonPath().getLong("id");
            check(service, "UP");
            d7 = deployed(b, v1, "SUCCEEDED");
            listening.close();
            check(service, "DOWN");
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                check(service, "UP");
            }
        }
        String down = "SELECT min(checked_at) FROM service_checks WHERE service_id = " + service + " AND status = 'DOWN' AND checked_at > (" + ended(d7) + ")";
        String up = "SELECT min(checked_at) FROM service_checks WHERE service_id = " + service + " AND status = 'UP' AND checked_at > (" + down + ")";
        // by hand: the lead times of the three versions that succeeded (the push's from its commit, v1 and v2 from their first request)
        List<Long> leads = new java.util.ArrayList<>(List.of(seconds("SELECT '" + committed + "'::timestamptz", ended(d1)),
                seconds("SELECT requested_at FROM deployments WHERE id = " + d2, ended(d2)),
                seconds("SELECT requested_at FROM deployments WHERE id = " + d5, ended(d5))));
        leads.sort(null);
        assertThat(leads.get(2)).isBetween(7200L, 7500L);
        List<Long> restores = new java.util.ArrayList<>(List.of(seconds(ended(d3), ended(d4)), seconds(down, up)));
        restores.sort(null);

        JsonPath r = given().auth().oauth2(viewer).queryParam("environment", env).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("environment")).isEqualTo(env);
        // 6 successes in 30 days: 0.2 a day, at least weekly
        assertThat(r.getLong("deployment_frequency.deployments")).isEqualTo(6);
        assertThat(r.getDouble("deployment_frequency.per_day")).isEqualTo(0.2);
        assertThat(r.getString("deployment_frequency.band")).isEqualTo("high");
        // three changes: the median is the middle one, the 90th percentile the push's two hours
        assertThat(r.getLong("lead_time.changes")).isEqualTo(3);
        assertThat(r.getLong("lead_time.median_seconds")).isEqualTo(leads.get(1));
        assertThat(r.getLong("lead_time.p90_seconds")).isEqualTo(leads.get(2));
        assertThat(r.getString("lead_time.band")).isEqualTo("elite");
        // d3 failed its verify step, d5 (v2) was rolled back, d7 was followed by its service going DOWN: 3 of 7
        assertThat(r.getLong("change_failure_rate.deployments")).isEqualTo(7);
        assertThat(r.getLong("change_failure_rate.failed")).isEqualTo(3);
        assertThat(r.getDouble("change_failure_rate.rate")).isEqualTo(0.4286);
        assertThat(r.getString("change_failure_rate.band")).isEqualTo("low");
        // the failed deployment restored by the rollback after it, and the outage by the next UP check
        assertThat(r.getLong("time_to_restore.incidents")).isEqualTo(2);
        assertThat(r.getLong("time_to_restore.median_seconds")).isEqualTo(restores.get(0));
        assertThat(r.getLong("time_to_restore.p90_seconds")).isEqualTo(restores.get(1));
        assertThat(r.getString("time_to_restore.band")).isEqualTo("elite");
        assertThat(r.getString("definitions.bands")).contains("2023");
        assertThat(r.getString("definitions.change_failure_rate")).contains("24 h");

        // the same as Prometheus series per environment (over the last 30 days)
        metrics.refresh().await().atMost(java.time.Duration.ofSeconds(30));
        String scraped = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(scraped).contains("trigger_insight_change_failure_ratio{environment=\"" + env + "\"} 0.4286")
                .contains("trigger_insight_lead_time_median_seconds{environment=\"" + env + "\"} " + leads.get(1) + ".0")
                .contains("trigger_insight_time_to_restore_median_seconds{environment=\"" + env + "\"} " + restores.get(0) + ".0")
                .contains("trigger_insight_deployments_per_day{environment=\"" + env + "\"} 0.2");

        // one server: b's one deployment, followed by its service going DOWN; v1's first success there counts from v1's first request
        JsonPath onB = given().auth().oauth2(viewer).queryParam("server", b).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(onB.getLong("change_failure_rate.deployments")).isEqualTo(1);
        assertThat(onB.getLong("change_failure_rate.failed")).isEqualTo(1);
        assertThat(onB.getLong("lead_time.median_seconds")).isEqualTo(seconds("SELECT requested_at FROM deployments WHERE id = " + d2, ended(d7)));
        assertThat(onB.getLong("time_to_restore.median_seconds")).isEqualTo(seconds(down, up));
        // a group of a and b is the whole environment here; a group of a alone has a's six deployments
        String both = unique("g-");
        String onlyA = unique("g-");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", both, "servers", List.of(a, b))).post("/api/groups")
                .then().statusCode(201);
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", onlyA, "servers", List.of(a))).post("/api/groups")
                .then().statusCode(201);
        assertThat(given().auth().oauth2(viewer).queryParam("group", both).get("/api/insight").then().statusCode(200).extract().jsonPath()
                .getDouble("change_failure_rate.rate")).isEqualTo(0.4286);
        JsonPath groupA = given().auth().oauth2(viewer).queryParam("group", onlyA).get("/api/insight").then().statusCode(200).extract().jsonPath();
        assertThat(groupA.getString("group")).isEqualTo(onlyA);
        assertThat(groupA.getLong("change_failure_rate.deployments")).isEqualTo(6);
        assertThat(groupA.getLong("lead_time.changes")).isEqualTo(3);
        assertThat(groupA.getLong("lead_time.p90_seconds")).isEqualTo(leads.get(2));
        given().auth().oauth2(viewer).queryParam("group", "no-such-group").get("/api/insight").then().statusCode(404);
        assertThat(given().auth().oauth2(viewer).queryParam("group", onlyA).get("/api/insight/trend").then().statusCode(200).extract().jsonPath()
                .getList("deployments", Long.class).stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
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
                .getLong("change_failure_rate.deployments")).isEqualTo(7);
    }
}
