package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.support.Deploys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Rollouts over servers that stand for a fleet (one in-process SSH server, one working directory per server): waves one
 * after another, the failure budget over the whole rollout with pause, retry, skip, resume, abort and rollback, the gates
 * (error lines, promote by someone else), approvals once, a freeze that begins mid-rollout, and bad input refused.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class RolloutTest extends DeployApiTest {

    /** A script that waits (at most 30 s) for the file {@code go} in its working directory. */
    private static final String WAIT_FOR_GO = "for i in $(seq 1 300); do [ -f go ] && break; sleep 0.1; done; echo \"deploying $REF\"";

    private List<String> fleet(int n, String script) throws IOException {
        String env = environment(Map.of());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(server(env, script));
        }
        return out;
    }

    private String group(List<String> servers) {
        String name = unique("g");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", name, "servers", servers))
                .post("/api/groups").then().statusCode(201);
        return name;
    }

    private Response create(String token, Map<String, Object> body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/rollouts");
    }

    private long created(Map<String, Object> body) {
        return create(operator, body).then().log().ifValidationFails().statusCode(201).extract().<Number>path("id").longValue();
    }

    private JsonPath rollout(long id) {
        return given().auth().oauth2(admin).get("/api/rollouts/" + id).then().statusCode(200).extract().jsonPath();
    }

    private JsonPath awaitRollout(long id, String status) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(rollout(id).getString("status")));
        return rollout(id);
    }

    private Response act(String token, long id, String action) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).post("/api/rollouts/" + id + "/" + action);
    }

    /** The rollout's event stream read to its end: [id, event, data] per event. */
    private List<String[]> events(long id, String lastEventId) {
        return sse("/api/rollouts/" + id + "/events", lastEventId).stream().filter(e -> e[0] != null).toList();
    }

    /** A Server-Sent Events stream read to its end: [id or null, event, data] per event. */
    private List<String[]> sse(String path, String lastEventId) {
        var request = given().auth().oauth2(viewer).accept("text/event-stream");
        if (lastEventId != null) {
            request = request.header("Last-Event-ID", lastEventId);
        }
        String text = request.get(path).then().statusCode(200)
                .contentType(containsString("text/event-stream")).extract().asString();
        List<String[]> out = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            String[] e = new String[3];
            for (String line : block.split("\n")) {
                if (line.startsWith("id:")) {
                    e[0] = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    e[1] = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    e[2] = line.substring(5).trim();
                }
            }
            if (e[1] != null) {
                out.add(e);
            }
        }
        return out;
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Path dir(String alias) {
        return DeploymentTest.DIR.resolve(alias);
    }

    @Test
    void aRollingRolloutRunsItsWavesOneAfterAnotherAsOrdinaryDeploymentsAndTheDryRunPlannedExactlyThat() throws IOException {
        List<String> servers = fleet(20, "echo \"deploying $REF on $(basename $PWD)\"");
        String group = group(servers);
        Map<String, Object> request = body("target", Map.of("group", group), "strategy", "rolling", "batch", "25%", "ref", "v2");

        JsonPath plan = given().auth().oauth2(operator).contentType(ContentType.JSON).body(request).post("/api/rollouts?dry_run=true")
                .then().statusCode(200).body("status", equalTo(null)).body("id", equalTo(null)).extract().jsonPath();
        List<List<String>> planned = plan.getList("waves");
        assertThat(planned).containsExactly(servers.subList(0, 5), servers.subList(5, 10), servers.subList(10, 15), servers.subList(15, 20));
        assertThat(given().auth().oauth2(admin).get("/api/rollouts?limit=200").then().statusCode(200).extract().jsonPath()
                .getList("items.target.group", String.class)).doesNotContain(group);

        long id = created(request);
        JsonPath done = awaitRollout(id, "SUCCEEDED");
        assertThat(done.getList("waves")).isEqualTo(planned);
        assertThat(done.getInt("failures")).isZero();
        assertThat(done.getString("finished_at")).isNotNull();
        List<Map<String, Object>> hosts = done.getList("hosts");
        assertThat(hosts).hasSize(20).allSatisfy(h -> assertThat(h).containsEntry("status", "SUCCEEDED").containsEntry("attempts", 1));

        // each host is an ordinary deployment of the rollout, at the rollout's REF, and wave n+1 began after wave n ended
        OffsetDateTime previousEnd = null;
        for (int wave = 1; wave <= 4; wave++) {
            OffsetDateTime end = null;
            for (Map<String, Object> h : hosts) {
                if ((int) h.get("wave") != wave) {
                    continue;
                }
                JsonPath d = get(((Number) h.get("deployment_id")).longValue());
                assertThat(d.getLong("rollout_id")).isEqualTo(id);
                assertThat(d.getInt("wave")).isEqualTo(wave);
                assertThat(d.getString("ref")).isEqualTo("v2");
                assertThat(d.getString("server")).isEqualTo(h.get("server"));
                OffsetDateTime started = OffsetDateTime.parse(d.getString("started_at"));
                if (previousEnd != null) {
                    assertThat(started).isAfterOrEqualTo(previousEnd);
                }
                OffsetDateTime finished = OffsetDateTime.parse(d.getString("finished_at"));
                end = end == null || finished.isAfter(end) ? finished : end;
            }
            previousEnd = end;
        }
        given().auth().oauth2(viewer).get("/api/fleet?group=" + group).then().statusCode(200).body("summary", equalTo("converged on v2"));

        // the event stream told it all, in order, and ends with the rollout; Last-Event-ID resumes after an event
        List<String[]> events = events(id, null);
        assertThat(events.stream().filter(e -> e[1].equals("wave")).map(e -> new JsonPath(e[2]).getInt("wave")).toList())
                .containsExactly(1, 2, 3, 4);
        assertThat(events.get(events.size() - 1)[1]).isIn("status", "host");
        assertThat(events.stream().filter(e -> e[1].equals("status")).map(e -> new JsonPath(e[2]).getString("status")).toList())
                .containsExactly("RUNNING", "SUCCEEDED");
        for (String server : servers) {
            List<String> told = events.stream().filter(e -> e[1].equals("host") && new JsonPath(e[2]).getString("server").equals(server))
                    .map(e -> new JsonPath(e[2]).getString("status")).toList();
            assertThat(told).as(server).isNotEmpty().last().isEqualTo("SUCCEEDED");
        }
        assertThat(events.stream().mapToLong(e -> Long.parseLong(e[0]))).isSorted();
        List<String[]> resumed = events(id, events.get(2)[0]);
        assertThat(resumed.stream().map(e -> e[0]).toList()).isEqualTo(events.subList(3, events.size()).stream().map(e -> e[0]).toList());
        given().auth().oauth2(viewer).get("/api/rollouts?status=succeeded").then().statusCode(200)
                .body("items.find { it.id == " + id + " }.strategy", equalTo("rolling"));

        // the merged output: every host's lines, each with its server, in the order they were printed
        String merged = given().auth().oauth2(viewer).get("/api/rollouts/" + id + "/log").then().statusCode(200)
                .contentType(containsString("text/plain")).extract().asString();
        for (String server : servers) {
            assertThat(merged).contains(" " + server + " | out | deploying v2 on " + server);
        }
        assertThat(merged.indexOf("deploying v2 on " + servers.get(0))).isLessThan(merged.indexOf("deploying v2 on " + servers.get(19)));
        String last = given().auth().oauth2(viewer).get("/api/rollouts/" + id + "/log?limit=1").then().statusCode(200).extract().asString();
        assertThat(last.lines().toList()).hasSize(2);
        assertThat(last.lines().findFirst().orElseThrow()).matches("\\(\\d+ earlier lines not shown.*");
        assertThat(last).doesNotContain("deploying v2 on " + servers.get(0) + "\n");
        given().auth().oauth2(viewer).get("/api/rollouts/" + id + "/log?limit=0").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("detail", containsString("limit"));
    }

    @Test
    void aBrokenBudgetPausesTheRolloutAndRetrySkipAndResumeTakeItToTheEnd() throws IOException {
        // the second server fails while its directory holds a file "broken"; the fourth always fails
        List<String> servers = fleet(4, "[ ! -f broken ] || { echo 'ERROR: broken'; exit 3; }; echo \"deploying $REF\"");
        Files.writeString(dir(servers.get(1)).resolve("broken"), "");
        Files.writeString(dir(servers.get(3)).resolve("broken"), "");
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "rolling", "batch", 1, "ref", "v3"));

        JsonPath paused = awaitRollout(id, "PAUSED");
        assertThat(paused.getString("paused_reason")).contains("failure budget exceeded").contains(servers.get(1) + " FAILED");
        assertThat(paused.getInt("failures")).isEqualTo(1);
        assertThat(paused.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "FAILED", "PENDING", "PENDING");

        // retry after the cause is fixed: the host runs again and the rollout goes on, until the fourth fails
        Files.delete(dir(servers.get(1)).resolve("broken"));
        act(operator, id, "hosts/" + servers.get(1) + "/retry").then().statusCode(200).body("status", equalTo("RUNNING"));
        JsonPath again = awaitRollout(id, "PAUSED");
        assertThat(again.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED");
        assertThat(again.getList("hosts.attempts", Integer.class)).containsExactly(1, 2, 1, 1);
        // skipping the last one ends the rollout
        act(operator, id, "hosts/" + servers.get(3) + "/skip").then().statusCode(200);
        JsonPath done = awaitRollout(id, "SUCCEEDED");
        assertThat(done.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SKIPPED");
        assertThat(done.getInt("failures")).isZero();
        // a host that succeeded is not retried; an ended rollout's hosts are left alone
        act(operator, id, "hosts/" + servers.get(0) + "/retry").then().statusCode(409);
        act(operator, id, "pause").then().statusCode(409).body("detail", containsString("SUCCEEDED"));
    }

    @Test
    void withinTheBudgetTheCanaryRolloutGoesOnAndResumeAcceptsABreach() throws IOException {
        List<String> servers = fleet(6, "[ ! -f broken ] || exit 4; echo \"deploying $REF\"");
        Files.writeString(dir(servers.get(2)).resolve("broken"), "");
        Files.writeString(dir(servers.get(4)).resolve("broken"), "");
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "canary", "canary", List.of(servers.get(5)),
                "waves", List.of(1, "50%", "100%"), "max_failures", 1, "ref", "v4"));
        JsonPath r = awaitRollout(id, "PAUSED");
        // the canary first (named), then cumulative waves: 1, 3 (50% of 6), 6
        assertThat(r.getList("waves")).isEqualTo(List.of(List.of(servers.get(5)), servers.subList(0, 2), servers.subList(2, 5)));
        assertThat(r.getInt("failures")).isEqualTo(2);
        assertThat(r.getInt("max_failures")).isEqualTo(1);
        act(operator, id, "resume").then().statusCode(200).body("accepted_failures", equalTo(1));
        JsonPath done = awaitRollout(id, "SUCCEEDED");
        assertThat(done.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED",
                "SUCCEEDED", "FAILED");
    }

    @Test
    void rollbackReturnsEachHostToItsOwnEarlierRelease() throws IOException {
        List<String> servers = fleet(3, "[ \"$REF\" != v9 ] || [ ! -f broken ] || exit 5; echo \"deploying $REF\"");
        String group = group(servers);
        for (int i = 0; i < 3; i++) {
            long d = accepted(given().auth().oauth2(operator).contentType(ContentType.JSON)
                    .body(Map.of("server", servers.get(i), "parameters", Map.of("REF", "v1." + i))).post("/api/deployments"));
            awaitStatus(d, "SUCCEEDED");
        }
        Files.writeString(dir(servers.get(2)).resolve("broken"), "");
        long id = created(body("target", Map.of("group", group), "strategy", "rolling", "batch", 1, "ref", "v9", "on_breach", "rollback"));
        JsonPath r = awaitRollout(id, "ROLLED_BACK");
        assertThat(r.getString("paused_reason")).contains("failure budget exceeded");
        List<Map<String, Object>> hosts = r.getList("hosts");
        assertThat(hosts.get(2)).containsEntry("status", "FAILED").doesNotContainKey("rollback_deployment_id");
        for (int i = 0; i < 2; i++) {
            long back = ((Number) hosts.get(i).get("rollback_deployment_id")).longValue();
            awaitStatus(back, "SUCCEEDED");
            assertThat(get(back).getString("ref")).isEqualTo("v1." + i);
            assertThat(get(back).getString("origin")).isEqualTo("rollback");
        }
        given().auth().oauth2(viewer).get("/api/fleet?group=" + group).then().statusCode(200)
                .body("summary", equalTo("mixed: 1 × v1.0, 1 × v1.1, 1 × v1.2"));
        act(operator, id, "rollback").then().statusCode(409);
    }

    @Test
    void beforeAndAfterCommandsRunForEachHostOnTheLoadBalancerAndAFailedBeforeDeploysNothing() throws IOException {
        String lb = server(null, "echo unused");
        for (String script : List.of("drain", "enable")) {
            Path file = dir(lb).resolve(script + ".sh");
            Files.writeString(file, "#!/bin/sh\necho \"$1 $TD_HOST wave $TD_WAVE\" >> lb.log\n");
            assertThat(file.toFile().setExecutable(true)).isTrue();
        }
        List<String> servers = fleet(2, "echo \"deploying $REF\" > deployed");
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "rolling", "batch", 1, "ref", "v11",
                "before", Map.of("command", "./drain.sh out", "on", lb), "after", Map.of("command", "./enable.sh in", "on", lb)));
        JsonPath done = awaitRollout(id, "SUCCEEDED");
        assertThat(Files.readAllLines(dir(lb).resolve("lb.log"))).containsExactly("out " + servers.get(0) + " wave 1",
                "in " + servers.get(0) + " wave 1", "out " + servers.get(1) + " wave 2", "in " + servers.get(1) + " wave 2");
        JsonPath host = get(done.getLong("hosts[0].deployment_id"));
        assertThat(host.getList("steps.name", String.class)).containsExactly("before", "deploy", "after");
        assertThat(host.getList("steps.state", String.class)).containsOnly("SUCCEEDED");

        // a before command that fails on the host itself: nothing deployed there, the host fails and the budget pauses
        List<String> others = fleet(2, "echo \"deploying $REF\" > deployed");
        long failing = created(body("target", Map.of("group", group(others)), "strategy", "rolling", "batch", 1, "ref", "v12",
                "before", Map.of("command", "test -f ready")));
        JsonPath paused = awaitRollout(failing, "PAUSED");
        JsonPath first = get(paused.getLong("hosts[0].deployment_id"));
        assertThat(first.getString("failed_step")).isEqualTo("before");
        assertThat(first.getString("error")).contains("before command failed");
        assertThat(dir(others.get(0)).resolve("deployed")).doesNotExist();
        create(operator, body("target", Map.of("group", group(List.of(lb))), "before", Map.of("command", "echo $HOME; rm -rf /")))
                .then().statusCode(400).body("detail", containsString("before.command")).body("detail", containsString("shell syntax"));
        create(operator, body("target", Map.of("group", group(List.of(lb))), "after", Map.of("command", "true", "on", "no-such-lb")))
                .then().statusCode(400).body("detail", containsString("after.on"));
        act(operator, failing, "abort").then().statusCode(200);
    }

    @Test
    void theMergedOutputStreamsEveryHostsLinesLiveOnceEachAndResumesAfterItsLastPosition() throws Exception {
        List<String> servers = fleet(3, "echo \"first $REF\"; echo second >&2; " + WAIT_FOR_GO + "; echo \"last on $(basename $PWD)\"");
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "all_at_once", "ref", "v7"));
        // a reader that joins while the hosts run gets what was printed so far, then the rest as it comes, then end
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(viewer).get("/api/rollouts/" + id + "/log")
                .then().statusCode(200).extract().asString().lines().filter(l -> l.contains("| err | second")).count() == 3);
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> sse("/api/rollouts/" + id + "/log/events", null));
        await().atMost(Duration.ofSeconds(30)).until(() -> rollout(id).getList("hosts.status", String.class).stream().allMatch("RUNNING"::equals));
        assertThat(reader).isNotDone();
        for (String server : servers) {
            Files.writeString(dir(server).resolve("go"), "");
        }
        List<String[]> all = reader.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(all.get(all.size() - 1)[1]).isEqualTo("end");
        assertThat(new JsonPath(all.get(all.size() - 1)[2]).getString("status")).isEqualTo("SUCCEEDED");
        List<JsonPath> lines = all.stream().filter(e -> e[1].equals("line")).map(e -> new JsonPath(e[2])).toList();
        for (String server : servers) {
            List<String> own = lines.stream().filter(l -> l.getString("server").equals(server)).map(l -> l.getString("stream") + " " + l.getString("text")).toList();
            // (SSH keeps each stream's order, not the order between stdout and stderr)
            assertThat(own.stream().filter(l -> l.startsWith("out ")).toList()).as(server)
                    .containsExactly("out first v7", "out deploying v7", "out last on " + server);
            assertThat(own).as(server).containsOnlyOnce("err second");
            assertThat(own).as(server).first().asString().startsWith("sys Deploying " + server);
            assertThat(own).as(server).last().asString().startsWith("sys Finished: SUCCEEDED");
            assertThat(lines.stream().filter(l -> l.getString("server").equals(server)).map(l -> l.getInt("line")).toList()).isSorted();
        }
        assertThat(lines).allSatisfy(l -> assertThat(l.getString("at")).isNotBlank());
        // a reader that lost its connection resumes after the last position it got: the rest, nothing twice
        int firstWithId = 0;
        while (all.get(firstWithId)[0] == null) {
            firstWithId++;
        }
        List<String[]> rest = sse("/api/rollouts/" + id + "/log/events", all.get(firstWithId)[0]);
        List<String> expected = all.subList(firstWithId + 1, all.size()).stream().filter(e -> e[1].equals("line")).map(e -> e[2]).sorted().toList();
        assertThat(rest.stream().filter(e -> e[1].equals("line")).map(e -> e[2]).sorted().toList()).isEqualTo(expected).isNotEmpty();
        // a reader that cannot see the rollout's servers is told it does not exist
        for (String stream : List.of("/log/events", "/events")) {
            given().auth().oauth2(viewer).accept("text/event-stream").get("/api/rollouts/999999999" + stream).then().statusCode(404)
                    .contentType(containsString("application/problem+json")).body("detail", containsString("999999999"));
            given().accept("text/event-stream").get("/api/rollouts/" + id + stream).then().statusCode(401);
        }
    }

    @Test
    void abortCancelsTheRunningHostsAndStartsNothingMore() throws IOException {
        List<String> servers = fleet(3, WAIT_FOR_GO);
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "rolling", "batch", 2, "ref", "v5"));
        await().atMost(Duration.ofSeconds(30)).until(() -> rollout(id).getList("hosts.status", String.class)
                .equals(List.of("RUNNING", "RUNNING", "PENDING")));
        act(viewer, id, "abort").then().statusCode(403);
        act(operator, id, "abort").then().statusCode(200).body("status", equalTo("ABORTED"));
        await().atMost(Duration.ofSeconds(30)).until(() -> rollout(id).getList("hosts.status", String.class)
                .equals(List.of("CANCELLED", "CANCELLED", "PENDING")));
        assertThat(rollout(id).getList("hosts.deployment_id")).hasSize(3).last().isNull();
    }

    @Test
    void theErrorGateHoldsTheNextWaveAndPromoteNeedsSomeoneElse() throws IOException {
        List<String> noisy = fleet(2, "echo 'warning: disk'; echo 'Error: connection refused'; echo \"deploying $REF\"");
        long gated = created(body("target", Map.of("group", group(noisy)), "strategy", "rolling", "batch", 1, "ref", "v6",
                "error_pattern", "^error:", "max_error_lines", 0));
        JsonPath held = awaitRollout(gated, "PAUSED");
        assertThat(held.getString("paused_reason")).contains("error gate of wave 1: 1 output lines match /^error:/");
        assertThat(held.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "PENDING");

        List<String> servers = fleet(3, "echo \"deploying $REF\"");
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "canary", "canary", 1, "promote", true, "ref", "v7"));
        await().atMost(Duration.ofSeconds(30)).until(() -> rollout(id).getString("gate") != null);
        JsonPath waiting = rollout(id);
        assertThat(waiting.getString("status")).isEqualTo("RUNNING");
        assertThat(waiting.getString("gate")).startsWith("promote:");
        assertThat(waiting.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "PENDING", "PENDING");
        act(operator, id, "promote").then().statusCode(403).body("detail", containsString("someone else"));
        act(admin, id, "promote").then().statusCode(200);
        awaitRollout(id, "SUCCEEDED");
        act(admin, id, "promote").then().statusCode(409);
    }

    @Test
    void aCanaryNobodyPromotesExpires() throws Exception {
        List<String> servers = fleet(2, "echo \"deploying $REF\"");
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "canary", "canary", 1, "promote", true,
                "promote_timeout", 60, "ref", "v7b"));
        await().atMost(Duration.ofSeconds(30)).until(() -> rollout(id).getString("gate") != null);
        // an hour after the canary wave ended, nobody having promoted it
        update("UPDATE rollouts SET wave_ended_at = now() - interval '1 hour' WHERE id = " + id);
        JsonPath expired = awaitRollout(id, "EXPIRED");
        assertThat(expired.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "PENDING");
        act(admin, id, "promote").then().statusCode(409);
    }

    @Test
    void aWatchedServiceThatIsDownHoldsTheNextWaveUntilItHasBeenUpForTheSoak() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> servers = fleet(2, "echo \"deploying $REF\"");
        String svc = unique("svc");
        long service = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", svc, "kind", "tcp",
                        "target", "127.0.0.1:" + port, "interval_seconds", 3600, "timeout_ms", 1000, "server", servers.get(0)))
                .post("/api/services").then().statusCode(201).extract().<Number>path("id").longValue();
        long id = created(body("target", Map.of("group", group(servers)), "strategy", "rolling", "batch", 1, "soak_seconds", 2,
                "ref", "v8s"));
        await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(rollout(id).getString("gate")).contains("waiting for " + svc));
        JsonPath held = rollout(id);
        assertThat(held.getString("status")).isEqualTo("RUNNING");
        assertThat(held.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "PENDING");

        try (ServerSocket listening = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            given().auth().oauth2(admin).post("/api/services/" + service + "/check").then().statusCode(200)
                    .body("status", equalTo("UP"));
            JsonPath done = awaitRollout(id, "SUCCEEDED");
            long second = done.getLong("hosts[1].deployment_id");
            String queued = given().auth().oauth2(admin).get("/api/deployments/" + second).then().statusCode(200)
                    .extract().path("queued_at");
            // the second wave waited until the service had been UP for the soak, counted from its first UP check (this
            // "check now", or a check of the monitor's own that came a moment before it)
            String upSince = queryString("SELECT to_char(min(checked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                    + "FROM service_checks WHERE service_id = " + service + " AND status = 'UP'");
            assertThat(OffsetDateTime.parse(queued)).isAfterOrEqualTo(OffsetDateTime.parse(upSince).plusSeconds(2));
        }
    }

    @Test
    void approvalsAreTakenOnceForTheWholeRollout() throws IOException {
        String env = environment(Map.of("required_approvals", 1));
        List<String> servers = List.of(server(env, "echo ok"), server(env, "echo ok"));
        long id = created(body("target", Map.of("environment", env), "strategy", "all_at_once", "ref", "v8"));
        JsonPath waiting = rollout(id);
        assertThat(waiting.getString("status")).isEqualTo("AWAITING_APPROVAL");
        assertThat(waiting.getInt("approval.required")).isEqualTo(1);
        assertThat(waiting.getList("hosts.deployment_id")).containsOnlyNulls();
        act(operator, id, "approve").then().statusCode(403);
        act(admin, id, "approve").then().statusCode(200);
        JsonPath done = awaitRollout(id, "SUCCEEDED");
        assertThat(done.getList("hosts.server", String.class)).containsExactlyInAnyOrderElementsOf(servers);
        for (Object d : done.getList("hosts.deployment_id")) {
            // the hosts ran without asking again
            assertThat(get(((Number) d).longValue()).getMap("")).doesNotContainKey("approval");
        }
        long rejected = created(body("target", Map.of("environment", env), "ref", "v9"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("comment", "not today"))
                .post("/api/rollouts/" + rejected + "/reject").then().statusCode(200).body("status", equalTo("REJECTED"));
    }

    @Test
    void aFreezeThatBeginsMidRolloutPausesItAtTheNextWaveAndItResumesWhenTheFreezeEnds() throws IOException {
        String env = environment(Map.of());
        // an environment's servers are in alias order: the first one (wave 1) waits for "go", the second deploys at once
        List<String> servers = new java.util.ArrayList<>(List.of(server(env, "echo \"deploying $REF\""), server(env, "echo \"deploying $REF\"")));
        java.util.Collections.sort(servers);
        Files.writeString(dir(servers.get(0)).resolve("deploy.sh"), "#!/bin/sh\n" + WAIT_FOR_GO + "\n");
        long id = created(body("target", Map.of("environment", env), "strategy", "rolling", "batch", 1, "ref", "v10",
                "resume_after_freeze", true));
        assertThat(rollout(id).getList("hosts.server", String.class)).containsExactlyElementsOf(servers);
        await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(rollout(id).getList("hosts.status", String.class).get(0)));
        Instant now = Instant.now();
        Map<String, Object> freeze = Map.of("start", now.minusSeconds(1).toString(), "end", now.plusSeconds(4).toString(),
                "reason", "Change freeze");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("freeze_windows", List.of(freeze)))
                .put("/api/environments/" + env).then().statusCode(200);
        Files.writeString(dir(servers.get(0)).resolve("go"), "");
        JsonPath paused = awaitRollout(id, "PAUSED");
        assertThat(paused.getString("paused_reason")).contains("Change freeze");
        assertThat(paused.getList("hosts.status", String.class)).containsExactly("SUCCEEDED", "PENDING");
        JsonPath done = awaitRollout(id, "SUCCEEDED");
        OffsetDateTime second = OffsetDateTime.parse(get(done.getLong("hosts[1].deployment_id")).getString("started_at"));
        assertThat(second.toInstant()).isAfterOrEqualTo(now.plusSeconds(4));
    }

    @Test
    void aServerTakesPartInOneRolloutAtATimeAndBadInputIsRefusedNamingTheField() throws IOException {
        List<String> servers = fleet(2, WAIT_FOR_GO);
        String group = group(servers);
        long id = created(body("target", Map.of("group", group), "strategy", "all_at_once"));
        create(operator, body("target", Map.of("selector", "none=such"), "strategy", "all_at_once")).then().statusCode(400)
                .body("detail", containsString("target"));
        create(operator, body("target", Map.of("group", group))).then().statusCode(409)
                .body("detail", containsString("rollout #" + id));
        create(viewer, body("target", Map.of("group", group))).then().statusCode(403);

        Map<String, Map<String, Object>> bad = new java.util.LinkedHashMap<>();
        bad.put("target", body("strategy", "rolling"));
        bad.put("target.group", body("target", Map.of("group", "no-such-group")));
        bad.put("target.selector", body("target", Map.of("selector", "role in (")));
        bad.put("batch", body("target", Map.of("group", group), "batch", "150%"));
        bad.put("waves", body("target", Map.of("group", group), "strategy", "canary", "waves", List.of(1, "40%")));
        bad.put("max_failures", body("target", Map.of("group", group), "max_failures", -1));
        bad.put("strategy", body("target", Map.of("group", group), "strategy", "yolo"));
        bad.put("error_pattern", body("target", Map.of("group", group), "error_pattern", "(unclosed"));
        bad.put("parameters.NOPE", body("target", Map.of("group", group), "parameters", Map.of("NOPE", "x")));
        for (Map.Entry<String, Map<String, Object>> e : bad.entrySet()) {
            create(operator, e.getValue()).then().log().ifValidationFails().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString(e.getKey()));
        }
        for (String s : servers) {
            Files.writeString(dir(s).resolve("go"), "");
        }
        awaitRollout(id, "SUCCEEDED");
    }
}
