package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.support.Deploys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Teams and grants over every endpoint: the permission matrix (team × environment × action), on PostgreSQL and the
 * in-process SSH server. An environment without grants behaves as before; the first grant restricts it.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class PermissionsTest extends DeployApiTest {

    /** People by what they are given in the restricted environment; every one an operator unless named viewer. */
    final Map<String, String> tokens = new LinkedHashMap<>();
    final Map<String, String> names = new HashMap<>();
    String prod;
    String prodServer;
    String openServer;
    String pinnedServer;

    String person(String key, String role) {
        String name = unique(key + "-");
        createUser(admin, name, key + "-pass-1", role);
        names.put(key, name);
        tokens.put(key, login(name, key + "-pass-1"));
        return name;
    }

    String team(String... members) {
        String name = unique("team-");
        long id = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", name, "description", "people"))
                .post("/api/teams").then().log().ifValidationFails().statusCode(201).extract().<Number>path("id").longValue();
        for (String m : members) {
            given().auth().oauth2(admin).put("/api/teams/" + id + "/members/" + m).then().statusCode(200);
        }
        return name;
    }

    Response grant(String token, Map<String, Object> body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/grants");
    }

    @BeforeEach
    void world() throws Exception {
        String deployer = person("deployer", "operator");
        String looker = person("looker", "operator");
        String viewerInTeam = person("viewer", "viewer");
        String manager = person("manager", "operator");
        person("outsider", "operator");
        String approver = person("approver", "operator");
        String deployers = team(deployer, viewerInTeam);
        String lookers = team(looker);
        String managers = team(manager);

        prod = environment(Map.of("required_approvals", 0));
        prodServer = server(prod, "echo ok >> runs");
        openServer = server(environment(Map.of()), "echo ok >> runs");
        pinnedServer = server(environment(Map.of()), "echo ok >> runs");
        grant(admin, Map.of("environment", prod, "team", deployers, "permission", "deploy")).then().statusCode(201)
                .body("environment", equalTo(prod)).body("team", equalTo(deployers)).body("permission", equalTo("deploy"));
        grant(admin, Map.of("environment", prod, "team", lookers, "permission", "view")).then().statusCode(201);
        grant(admin, Map.of("environment", prod, "team", managers, "permission", "manage")).then().statusCode(201);
        grant(admin, Map.of("environment", prod, "user", approver, "permission", "approve")).then().statusCode(201);
        // a grant on one server restricts that server only
        grant(admin, Map.of("server", pinnedServer, "team", lookers, "permission", "deploy")).then().statusCode(201);
    }

    int status(Response r) {
        return r.then().extract().statusCode();
    }

    @Test
    void theMatrixOfTeamsEnvironmentsAndActions() {
        // action → person → expected status; the server in the restricted environment
        Map<String, Integer> deploy = Map.of("deployer", 202, "looker", 403, "viewer", 403, "manager", 202, "outsider", 404,
                "approver", 403);
        Map<String, Integer> view = Map.of("deployer", 200, "looker", 200, "viewer", 200, "manager", 200, "outsider", 404,
                "approver", 200);
        long seen = accepted(trigger(admin, prodServer, null));
        awaitStatus(seen, "SUCCEEDED");
        tokens.forEach((who, token) -> {
            assertThat(status(given().auth().oauth2(token).get("/api/servers/" + prodServer))).as("view server: " + who)
                    .isEqualTo(view.get(who));
            assertThat(status(given().auth().oauth2(token).get("/api/deployments/" + seen))).as("view deployment: " + who)
                    .isEqualTo(view.get(who));
            assertThat(status(given().auth().oauth2(token).get("/api/deployments/" + seen + "/log"))).as("log: " + who)
                    .isEqualTo(view.get(who));
            assertThat(status(given().auth().oauth2(token).get("/api/deployments?server=" + prodServer))).as("history: " + who)
                    .isEqualTo(view.get(who));
            boolean listed = given().auth().oauth2(token).get("/api/deployments?limit=200").then().statusCode(200).extract()
                    .jsonPath().getList("items.id", Long.class).contains(seen);
            assertThat(listed).as("listed: " + who).isEqualTo(view.get(who) == 200);
            boolean serverListed = given().auth().oauth2(token).get("/api/servers").then().statusCode(200).extract()
                    .jsonPath().getList("alias", String.class).contains(prodServer);
            assertThat(serverListed).as("server listed: " + who).isEqualTo(view.get(who) == 200);
            boolean envListed = given().auth().oauth2(token).get("/api/environments").then().statusCode(200).extract()
                    .jsonPath().getList("name", String.class).contains(prod);
            assertThat(envListed).as("environment listed: " + who).isEqualTo(!"outsider".equals(who));

            Response r = trigger(token, prodServer, null);
            assertThat(status(r)).as("deploy: " + who).isEqualTo(deploy.get(who));
            if (status(r) == 403) {
                assertThat(r.contentType()).contains("application/problem+json");
            }
            // every operator deploys where nothing is granted; a viewer never does
            assertThat(status(trigger(token, openServer, null))).as("open: " + who).isEqualTo("viewer".equals(who) ? 403 : 202);
            // a grant on one server: only that team (lookers) deploys there, others do not even see it
            assertThat(status(trigger(token, pinnedServer, null))).as("pinned: " + who).isEqualTo("looker".equals(who) ? 202 : "viewer".equals(who) ? 403 : 404);
            assertThat(status(given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of())
                    .post("/api/deployments/" + seen + "/rerun"))).as("rerun: " + who).isEqualTo(deploy.get(who));
        });
        // figures and analytics count only what the caller may see
        assertThat(given().auth().oauth2(tokens.get("outsider")).get("/api/deployments/stats").then().statusCode(200).extract()
                .asString()).doesNotContain(prodServer).contains(openServer);
        assertThat(given().auth().oauth2(tokens.get("deployer")).get("/api/deployments/stats").then().statusCode(200).extract()
                .asString()).contains(prodServer);
        assertThat(given().auth().oauth2(tokens.get("outsider")).get("/api/analytics?days=1").then().statusCode(200).extract()
                .asString()).doesNotContain(prodServer).contains(openServer);
        assertThat(given().auth().oauth2(admin).get("/api/analytics?days=1").then().statusCode(200).extract()
                .asString()).contains(prodServer);
        // refused triggers queued nothing
        assertThat(given().auth().oauth2(admin).get("/api/deployments?limit=200&server=" + prodServer).then().extract().jsonPath()
                .getList("items.requested_by", String.class)).containsOnly("admin", names.get("deployer"), names.get("manager"));
    }

    /** What a caller gets for one action, with what they typed taken out: equal for a hidden and an unknown target. */
    static String answer(Response r, String typed) {
        String detail = r.then().extract().path("detail");
        return r.statusCode() + " " + (detail == null ? "" : detail.replace(typed, "<typed>"));
    }

    @Test
    void aHiddenServerOrDeploymentAnswersLikeAnUnknownOneWhateverTheAction() throws Exception {
        String outsider = tokens.get("outsider");
        long serverId = given().auth().oauth2(admin).get("/api/servers/" + prodServer).then().statusCode(200)
                .extract().<Number>path("id").longValue();
        String hidden = String.valueOf(serverId);
        String unknown = "987654321";
        long done = accepted(trigger(admin, prodServer, null));
        awaitStatus(done, "SUCCEEDED");
        String doneId = String.valueOf(done);
        String noDeployment = "987654321";
        // what could fail after the lookup fails the same way for both: parameters, an inactive server
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/servers/" + serverId)
                .then().statusCode(200);
        Map<String, java.util.function.Function<String, Response>> serverActions = new java.util.LinkedHashMap<>();
        serverActions.put("trigger", ref -> given().auth().oauth2(outsider).contentType(ContentType.JSON)
                .body(Map.of("server", ref, "parameters", Map.of("NOT_DECLARED", "x"))).post("/api/deployments"));
        serverActions.put("rollback", ref -> given().auth().oauth2(outsider).contentType(ContentType.JSON).body(Map.of("to", done))
                .post("/api/servers/" + ref + "/rollback"));
        long visible = accepted(trigger(outsider, openServer, null));
        serverActions.put("promote to", ref -> given().auth().oauth2(outsider).contentType(ContentType.JSON)
                .body(Map.of("server", ref)).post("/api/deployments/" + visible + "/promote"));
        serverActions.put("schedule", ref -> given().auth().oauth2(outsider).contentType(ContentType.JSON)
                .body(Map.of("server", ref, "cron", "0 * * * *", "parameters", Map.of("NOT_DECLARED", "x"))).post("/api/schedules"));
        serverActions.put("grant", ref -> grant(outsider, Map.of("server", ref, "user", names.get("outsider"), "permission", "view")));
        serverActions.put("grants of", ref -> given().auth().oauth2(outsider).queryParam("server", ref).get("/api/grants"));
        serverActions.put("legacy trigger", ref -> given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", ref)
                .get("/trigger"));
        for (var e : serverActions.entrySet()) {
            String forUnknown = answer(e.getValue().apply(unknown), unknown);
            for (String ref : List.of(hidden, prodServer)) {
                Response r = e.getValue().apply(ref);
                assertThat(answer(r, ref)).as("%s on a hidden server (%s)", e.getKey(), ref).isEqualTo(forUnknown);
                assertThat(r.asString()).as(e.getKey()).doesNotContain(ref.equals(hidden) ? prodServer : "'" + hidden + "'");
            }
        }
        Map<String, java.util.function.Function<String, Response>> deploymentActions = new java.util.LinkedHashMap<>();
        deploymentActions.put("rerun", id -> given().auth().oauth2(outsider).post("/api/deployments/" + id + "/rerun"));
        deploymentActions.put("promote", id -> given().auth().oauth2(outsider).contentType(ContentType.JSON)
                .body(Map.of("server", openServer)).post("/api/deployments/" + id + "/promote"));
        deploymentActions.put("approve", id -> given().auth().oauth2(outsider).contentType(ContentType.JSON).body(Map.of())
                .post("/api/deployments/" + id + "/approve"));
        deploymentActions.put("reject", id -> given().auth().oauth2(outsider).contentType(ContentType.JSON)
                .body(Map.of("comment", "no")).post("/api/deployments/" + id + "/reject"));
        for (var e : deploymentActions.entrySet()) {
            Response r = e.getValue().apply(doneId);
            assertThat(answer(r, doneId)).as("%s of a hidden deployment", e.getKey())
                    .isEqualTo(answer(e.getValue().apply(noDeployment), noDeployment));
            assertThat(r.asString()).as(e.getKey()).doesNotContain(prodServer).doesNotContain("SUCCEEDED");
        }
        // a schedule on a hidden server: changing or deleting it answers like a schedule that does not exist
        long schedule = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("server", openServer, "cron", "0 * * * *"))
                .post("/api/schedules").then().statusCode(201).extract().<Number>path("id").longValue();
        update("UPDATE schedules SET server_id = " + serverId + " WHERE id = " + schedule);
        Response change = given().auth().oauth2(outsider).contentType(ContentType.JSON).body(Map.of("cron", "5 * * * *"))
                .put("/api/schedules/" + schedule);
        assertThat(answer(change, String.valueOf(schedule))).isEqualTo(answer(given().auth().oauth2(outsider).contentType(ContentType.JSON)
                .body(Map.of("cron", "5 * * * *")).put("/api/schedules/987654321"), "987654321"));
        given().auth().oauth2(outsider).delete("/api/schedules/" + schedule).then().statusCode(404);
        assertThat(queryString("SELECT cron FROM schedules WHERE id = " + schedule)).isEqualTo("0 * * * *");
    }

    @Test
    void approvalsNeedTheApprovePermissionAndTheApprovalListFollowsIt() {
        given().auth().oauth2(tokens.get("manager")).contentType(ContentType.JSON).body(Map.of("required_approvals", 1))
                .put("/api/environments/" + prod).then().log().ifValidationFails().statusCode(200).body("required_approvals", equalTo(1));
        long id = accepted(trigger(tokens.get("deployer"), prodServer, null));
        assertThat(get(id).getString("status")).isEqualTo("AWAITING_APPROVAL");
        // deploy does not include approve; view-only people and outsiders may not decide
        decide(tokens.get("deployer"), id, "approve", null).then().statusCode(403);
        decide(tokens.get("looker"), id, "approve", null).then().statusCode(403).contentType(containsString("application/problem+json"));
        decide(tokens.get("outsider"), id, "reject", "no").then().statusCode(404);
        assertThat(waitingFor(tokens.get("looker"))).doesNotContain(id);
        assertThat(waitingFor(tokens.get("outsider"))).doesNotContain(id);
        assertThat(waitingFor(operator)).doesNotContain(id);
        assertThat(waitingFor(tokens.get("approver"))).contains(id);
        assertThat(waitingFor(tokens.get("manager"))).contains(id);
        decide(tokens.get("approver"), id, "approve", "fine").then().statusCode(200);
        awaitStatus(id, "SUCCEEDED");
    }

    @Test
    void cancellingNeedsDeployAndTheLiveStreamAndSearchFollowView() throws Exception {
        String slow = server(prod, "sleep 20; echo late");
        long id = accepted(trigger(tokens.get("deployer"), slow, null));
        given().auth().oauth2(tokens.get("looker")).post("/api/deployments/" + id + "/cancel").then().statusCode(403);
        given().auth().oauth2(tokens.get("outsider")).post("/api/deployments/" + id + "/cancel").then().statusCode(404);
        given().auth().oauth2(tokens.get("outsider")).accept("text/event-stream").get("/api/deployments/" + id + "/events")
                .then().statusCode(404);
        given().auth().oauth2(tokens.get("outsider")).get("/api/deployments/" + id + "/service-checks").then().statusCode(404);
        given().auth().oauth2(tokens.get("deployer")).post("/api/deployments/" + id + "/cancel").then().statusCode(200);
        awaitStatus(id, "CANCELLED");

        String printer = server(prod, "echo permission-probe-line");
        awaitStatus(accepted(trigger(admin, printer, null)), "SUCCEEDED");
        String q = "/api/search/logs?q=permission-probe&server=";
        given().auth().oauth2(tokens.get("looker")).get(q + printer).then().statusCode(200).body("items.size()", equalTo(1));
        given().auth().oauth2(tokens.get("outsider")).get(q + printer).then().statusCode(404);
        given().auth().oauth2(tokens.get("outsider")).get("/api/search/logs?q=permission-probe&limit=100").then().statusCode(200)
                .body("items.size()", equalTo(0));
        given().auth().oauth2(admin).get("/api/search/logs?q=permission-probe&limit=100").then().statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.greaterThan(0));
    }

    @Test
    void managersChangeTheirEnvironmentAndItsGrantsOnlyAndTeamsAreForAdmins() {
        String manager = tokens.get("manager");
        String deployer = tokens.get("deployer");
        // a manager sees and changes the grants of their environment
        List<String> perms = given().auth().oauth2(manager).get("/api/grants?environment=" + prod).then().statusCode(200).extract()
                .jsonPath().getList("permission", String.class);
        assertThat(perms).containsExactlyInAnyOrder("approve", "deploy", "manage", "view");
        long granted = grant(manager, Map.of("environment", prod, "user", names.get("outsider"), "permission", "view")).then()
                .statusCode(201).extract().<Number>path("id").longValue();
        given().auth().oauth2(tokens.get("outsider")).get("/api/servers/" + prodServer).then().statusCode(200);
        given().auth().oauth2(manager).delete("/api/grants/" + granted).then().statusCode(204);
        given().auth().oauth2(tokens.get("outsider")).get("/api/servers/" + prodServer).then().statusCode(404);
        // but not on anything else, nor anyone without manage
        grant(manager, Map.of("server", openServer, "user", names.get("outsider"), "permission", "deploy")).then().statusCode(403);
        grant(deployer, Map.of("environment", prod, "user", names.get("deployer"), "permission", "manage")).then().statusCode(403);
        given().auth().oauth2(deployer).contentType(ContentType.JSON).body(Map.of("required_approvals", 2))
                .put("/api/environments/" + prod).then().statusCode(403);
        // a server hidden from them answers like one that does not exist
        given().auth().oauth2(manager).get("/api/grants?server=" + pinnedServer).then().statusCode(400).body("violations[0].field", equalTo("server"));
        // bad grants: 400 naming the field, duplicates 409; nothing written
        int before = given().auth().oauth2(admin).get("/api/grants").then().extract().jsonPath().getList("id").size();
        grant(admin, Map.of("team", "x", "permission", "view")).then().statusCode(400)
                .body("violations[0].field", equalTo("environment"));
        grant(admin, Map.of("environment", prod, "server", openServer, "user", names.get("outsider"), "permission", "view")).then()
                .statusCode(400).body("violations[0].field", equalTo("server"));
        grant(admin, Map.of("environment", prod, "permission", "view")).then().statusCode(400).body("violations[0].field", equalTo("team"));
        grant(admin, Map.of("environment", prod, "user", names.get("outsider"), "permission", "root")).then().statusCode(400)
                .body("violations[0].field", equalTo("permission"));
        grant(admin, Map.of("environment", "no-such-env", "user", names.get("outsider"), "permission", "view")).then().statusCode(400)
                .body("violations[0].field", equalTo("environment"));
        grant(admin, Map.of("environment", prod, "user", "nobody-" + UUID.randomUUID(), "permission", "view")).then().statusCode(400)
                .body("violations[0].field", equalTo("user"));
        grant(admin, Map.of("environment", prod, "user", names.get("approver"), "permission", "approve")).then().statusCode(409);
        assertThat(given().auth().oauth2(admin).get("/api/grants").then().extract().jsonPath().getList("id")).hasSize(before);
        // teams: everyone reads, only admins change
        given().auth().oauth2(viewer).get("/api/teams").then().statusCode(200);
        given().auth().oauth2(manager).contentType(ContentType.JSON).body(Map.of("name", unique("t"))).post("/api/teams").then().statusCode(403);
        String t = unique("dup-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", t)).post("/api/teams").then().statusCode(201);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", t.toUpperCase())).post("/api/teams").then()
                .statusCode(409).contentType(containsString("application/problem+json"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", " bad\u0000name")).post("/api/teams").then()
                .statusCode(400);
        given().auth().oauth2(admin).put("/api/teams/" + t + "/members/nobody-" + UUID.randomUUID()).then().statusCode(404);
        // removing the deployer from their team takes the permission away at once
        String deployersTeam = given().auth().oauth2(admin).get("/api/grants?environment=" + prod).then().extract().jsonPath()
                .getString("find { it.permission == 'deploy' }.team");
        given().auth().oauth2(admin).delete("/api/teams/" + deployersTeam + "/members/" + names.get("deployer")).then().statusCode(200);
        given().auth().oauth2(deployer).get("/api/servers/" + prodServer).then().statusCode(404);
        given().auth().oauth2(admin).delete("/api/teams/" + deployersTeam).then().statusCode(204);
        given().auth().oauth2(tokens.get("viewer")).get("/api/servers/" + prodServer).then().statusCode(404);
    }

    @Test
    void machineTriggersCarryTheirOwnersPermissions() {
        // the legacy shared token has no user: open environments only
        given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", prodServer).get("/trigger").then().statusCode(404);
        given().queryParam("token", DeploymentTest.LEGACY_TOKEN).queryParam("server", openServer).get("/trigger").then().statusCode(200);
        // an API token carries its owner's permissions
        String apiToken = given().auth().oauth2(tokens.get("deployer")).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "role", "operator")).post("/api/tokens").then().log().ifValidationFails().statusCode(201)
                .extract().path("token");
        given().queryParam("token", apiToken).queryParam("server", prodServer).get("/trigger").then().statusCode(200);
        String outsiderToken = given().auth().oauth2(tokens.get("outsider")).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "role", "operator")).post("/api/tokens").then().statusCode(201).extract().path("token");
        given().auth().oauth2(outsiderToken).contentType(ContentType.JSON).body(Map.of("server", prodServer)).post("/api/deployments")
                .then().statusCode(404);

        // a webhook acts as the admin who made it, checked at delivery: once that admin is deactivated it queues nothing
        String creator = person("hookadmin", "admin");
        Map<String, Object> hook = given().auth().oauth2(tokens.get("hookadmin")).contentType(ContentType.JSON)
                .body(Map.of("name", unique("gh-"), "server", prodServer, "kind", "github")).post("/api/hooks").then().statusCode(201)
                .extract().as(Map.class);
        String secret = (String) hook.get("secret");
        String push = "{\"ref\":\"refs/heads/main\",\"after\":\"%s\"}";
        assertThat(status(deliver(hook, secret, push.formatted("1111111111111111111111111111111111111111")))).isIn(200, 202);
        long creatorId = given().auth().oauth2(admin).get("/api/users").then().extract().jsonPath()
                .getLong("find { it.username == '" + creator + "' }.id");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/users/" + creatorId)
                .then().statusCode(200);
        Response refused = deliver(hook, secret, push.formatted("2222222222222222222222222222222222222222"));
        assertThat(status(refused)).isEqualTo(403);
        assertThat(refused.asString()).contains("deactivated");
        assertThat(given().auth().oauth2(admin).get("/api/deployments?limit=200&server=" + prodServer).then().extract().jsonPath()
                .getList("items.ref", String.class)).contains("1111111111111111111111111111111111111111")
                .doesNotContain("2222222222222222222222222222222222222222");
    }

    Response deliver(Map<String, Object> hook, String secret, String body) {
        return given().contentType(ContentType.JSON).header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + Signatures.hmacHex("sha256", secret, body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post((String) hook.get("url"));
    }

    @Test
    void schedulesNeedDeployOnTheirServerAndRunAsTheirCreator() throws Exception {
        Map<String, Object> body = Map.of("server", prodServer, "cron", "0 3 * * *");
        given().auth().oauth2(tokens.get("looker")).contentType(ContentType.JSON).body(body).post("/api/schedules").then().statusCode(403);
        given().auth().oauth2(tokens.get("outsider")).contentType(ContentType.JSON).body(body).post("/api/schedules").then().statusCode(404);
        long id = given().auth().oauth2(tokens.get("deployer")).contentType(ContentType.JSON).body(body).post("/api/schedules").then()
                .log().ifValidationFails().statusCode(201).extract().<Number>path("id").longValue();
        given().auth().oauth2(tokens.get("looker")).get("/api/schedules/" + id).then().statusCode(200);
        given().auth().oauth2(tokens.get("outsider")).get("/api/schedules/" + id).then().statusCode(404);
        assertThat(given().auth().oauth2(tokens.get("outsider")).get("/api/schedules").then().statusCode(200).extract().jsonPath()
                .getList("id", Long.class)).doesNotContain(id);
        given().auth().oauth2(tokens.get("looker")).delete("/api/schedules/" + id).then().statusCode(403);

        // it runs as its creator, checked at each run: while they may deploy it deploys, once they may not it is skipped
        ScheduleTest.due(id, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> ScheduleTest.runs(id) == 1);
        String deployersTeam = given().auth().oauth2(admin).get("/api/grants?environment=" + prod).then().extract().jsonPath()
                .getString("find { it.permission == 'deploy' }.team");
        given().auth().oauth2(admin).delete("/api/teams/" + deployersTeam + "/members/" + names.get("deployer")).then().statusCode(200);
        ScheduleTest.due(id, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> given().auth().oauth2(admin).get("/api/schedules/" + id).then().extract()
                .jsonPath().getString("last_outcome").startsWith("skipped"));
        assertThat(given().auth().oauth2(admin).get("/api/schedules/" + id).then().extract().jsonPath().getString("last_outcome"))
                .contains(names.get("deployer")).contains("may not deploy");
        assertThat(ScheduleTest.runs(id)).isEqualTo(1);
        given().auth().oauth2(admin).delete("/api/schedules/" + id).then().statusCode(204);
    }

    @Test
    void aRolloutNeedsDeployOnEveryServerAndNeverNamesAServerTheCallerCannotSee() {
        String group = unique("g");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers",
                List.of(prodServer, openServer, pinnedServer))).post("/api/groups").then().statusCode(201);
        Map<String, Object> body = Map.of("target", Map.of("group", group), "strategy", "all_at_once");
        java.util.function.BiFunction<String, String, Response> create = (who, query) -> given().auth().oauth2(tokens.get(who))
                .contentType(ContentType.JSON).body(body).post("/api/rollouts" + query);

        // the looker sees the restricted server but may not deploy there: named
        create.apply("looker", "").then().statusCode(403).body("detail", equalTo("You may not deploy to " + prodServer
                + "; nothing was created"));
        // the deployer may not see the pinned server: counted, never named
        Response deployer = create.apply("deployer", "");
        deployer.then().statusCode(403).body("detail", equalTo("You may not deploy to 1 server you cannot see; nothing was created"));
        Response outsider = create.apply("outsider", "");
        outsider.then().statusCode(403).body("detail", equalTo("You may not deploy to 2 servers you cannot see; nothing was created"));
        // the plan shows the same without naming them either
        given().auth().oauth2(tokens.get("outsider")).contentType(ContentType.JSON).body(body).post("/api/rollouts?dry_run=true").then()
                .statusCode(200).body("waves", equalTo(List.of(List.of(openServer)))).body("hidden_hosts", equalTo(2))
                .body("not_allowed", equalTo(null));
        given().auth().oauth2(tokens.get("looker")).contentType(ContentType.JSON).body(body).post("/api/rollouts?dry_run=true").then()
                .statusCode(200).body("not_allowed", equalTo(List.of(prodServer))).body("hidden_hosts", equalTo(null));
        assertThat(given().auth().oauth2(admin).get("/api/rollouts?limit=200").then().statusCode(200).extract().jsonPath()
                .getList("items.target.group", String.class)).doesNotContain(group);

        long id = given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/rollouts").then().statusCode(201)
                .extract().<Number>path("id").longValue();
        String seen = given().auth().oauth2(tokens.get("outsider")).get("/api/rollouts/" + id).then().statusCode(200)
                .body("hidden_hosts", equalTo(2)).body("hosts.server", equalTo(List.of(openServer))).extract().asString();
        assertThat(seen).doesNotContain(prodServer).doesNotContain(pinnedServer);
        String refused = given().auth().oauth2(tokens.get("outsider")).post("/api/rollouts/" + id + "/abort").then().statusCode(403)
                .extract().asString();
        assertThat(refused).contains("2 servers you cannot see").doesNotContain(prodServer).doesNotContain(pinnedServer);
        given().auth().oauth2(admin).get("/api/rollouts/" + id).then().statusCode(200).body("hosts.server",
                equalTo(List.of(prodServer, openServer, pinnedServer)));
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(admin).get("/api/rollouts/" + id)
                .then().extract().path("status")));
        // the merged output holds only the servers the caller sees
        String all = given().auth().oauth2(admin).get("/api/rollouts/" + id + "/log").then().statusCode(200).extract().asString();
        assertThat(all).contains(" " + prodServer + " | ").contains(" " + openServer + " | ").contains(" " + pinnedServer + " | ");
        String theirs = given().auth().oauth2(tokens.get("outsider")).get("/api/rollouts/" + id + "/log").then().statusCode(200)
                .extract().asString();
        assertThat(theirs).contains(" " + openServer + " | ").doesNotContain(prodServer).doesNotContain(pinnedServer);
    }
}
