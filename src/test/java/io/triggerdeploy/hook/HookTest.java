package io.triggerdeploy.hook;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** Inbound webhooks as GitHub, GitLab and a generic HMAC sender would call them. */
@QuarkusTest
class HookTest extends ApiTest {

    static final String PUSH_MAIN = "{\"ref\":\"refs/heads/main\",\"after\":\"0123456789abcdef0123456789abcdef01234567\","
            + "\"head_commit\":{\"message\":\"Fix the checkout\\n\\nlonger text\"}}";

    String admin;
    String server;

    @BeforeEach
    void setUp() {
        admin = adminToken();
        server = unique("hooked-");
        // a pinned server on a closed port: deployments queue (and later fail); the hook part is what is tested
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", server, "alias", server, "host", "127.0.0.1", "port", 9, "user", "deploy", "path", "/srv/app",
                        "host_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"))
                .post("/api/servers").then().statusCode(201);
    }

    Map<String, Object> hook(String kind, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("name", unique(kind + "-"), "server", server, "kind", kind));
        body.putAll(extra);
        return given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/hooks")
                .then().statusCode(201).extract().jsonPath().getMap("");
    }

    long deploymentsOfServer() throws Exception {
        return queryLong("SELECT count(*) FROM deployments WHERE server_alias = '" + server + "'");
    }

    Response github(Map<String, Object> hook, String secret, String event, String delivery, String body) {
        return given().contentType(ContentType.JSON)
                .header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", "sha256=" + Signatures.hmacHex("sha256", secret, body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post((String) hook.get("url"));
    }

    @Test
    void githubPushQueuesADeploymentOnceAndRefusesBadSignaturesAndReplays() throws Exception {
        Map<String, Object> hook = hook("github", Map.of("branch", "main"));
        String secret = (String) hook.get("secret");
        assertThat(secret).hasSizeGreaterThan(30);
        // the secret is shown once
        given().auth().oauth2(admin).get("/api/hooks/" + hook.get("id")).then().statusCode(200).body("secret", nullValue());
        assertThat(given().auth().oauth2(admin).get("/api/hooks").asString()).doesNotContain(secret);

        String delivery = UUID.randomUUID().toString();
        Response ok = github(hook, secret, "push", delivery, PUSH_MAIN);
        ok.then().statusCode(202).body("server", equalTo(server)).body("source", equalTo("hook"))
                .body("note", equalTo("push to refs/heads/main at 0123456: Fix the checkout"))
                .body("ref", equalTo("0123456789abcdef0123456789abcdef01234567"))
                .body("parameters.REF", equalTo("0123456789abcdef0123456789abcdef01234567"));
        assertThat(ok.header("Location")).contains("/api/deployments/");
        assertThat(deploymentsOfServer()).isEqualTo(1);

        // the same delivery again: refused, nothing queued
        github(hook, secret, "push", delivery, PUSH_MAIN).then().statusCode(409).contentType("application/problem+json");
        // a captured delivery resent with a fresh delivery id (the signature covers only the body): refused too
        github(hook, secret, "push", UUID.randomUUID().toString(), PUSH_MAIN).then().statusCode(409);
        // and the same push (ref and commit) in a re-signed, reformatted body
        github(hook, secret, "push", UUID.randomUUID().toString(), PUSH_MAIN.replace(",", " ,")).then().statusCode(409);
        assertThat(deploymentsOfServer()).isEqualTo(1);
        // a wrong secret, a tampered body, no signature: 401, nothing queued
        github(hook, "not-the-secret", "push", UUID.randomUUID().toString(), PUSH_MAIN).then().statusCode(401);
        given().contentType(ContentType.JSON).header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", "sha256=" + Signatures.hmacHex("sha256", secret, PUSH_MAIN.getBytes(StandardCharsets.UTF_8)))
                .body(PUSH_MAIN.replace("main", "mainx")).post((String) hook.get("url")).then().statusCode(401);
        given().contentType(ContentType.JSON).body(PUSH_MAIN).post((String) hook.get("url")).then().statusCode(401);
        // another branch and a ping are skipped with 204 and a reason
        Response other = github(hook, secret, "push", UUID.randomUUID().toString(), PUSH_MAIN.replace("refs/heads/main", "refs/heads/dev"));
        other.then().statusCode(204);
        assertThat(other.header("X-Trigger-Deploy-Skipped")).contains("refs/heads/dev").contains("main");
        github(hook, secret, "ping", UUID.randomUUID().toString(), "{\"zen\":\"hi\"}").then().statusCode(204);
        assertThat(deploymentsOfServer()).isEqualTo(1);

        // a disabled hook refuses even good deliveries
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch("/api/hooks/" + hook.get("id")).then().statusCode(200).body("active", equalTo(false));
        github(hook, secret, "push", UUID.randomUUID().toString(), PUSH_MAIN).then().statusCode(403);
        assertThat(deploymentsOfServer()).isEqualTo(1);
        given().post("/hooks/nosuchhook123").then().statusCode(404);
        assertThat(queryString("SELECT string_agg(action || ' ' || coalesce(detail, ''), ',') FROM audit_events WHERE target = '"
                + hook.get("name") + "'")).contains("hook.created").contains("hook.updated");
    }

    @Test
    void aPushDeploysItsCommitAndATagPushItsTag() {
        assertThat(HookService.version("refs/tags/v2.0.1", null)).isEqualTo("v2.0.1");
        // a GitLab push names its commit in checkout_sha; an all-zero "after" is no commit
        assertThat(HookService.version("refs/heads/main", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("after", "0000000000000000000000000000000000000000").put("checkout_sha", "abcdef0123456")))
                .isEqualTo("abcdef0123456");
        assertThat(HookService.version("refs/heads/main", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("after", "not-a-sha"))).isNull();
    }

    /**
     * A server with required parameters is deployable by a push: the hook gives one a fixed value and takes the other
     * from the event. Without them the push is refused naming the parameter, and every delivery, refused ones included,
     * is listed with its outcome and reason (the API and the Hooks page) and audited with its details.
     */
    @Test
    void aHookFillsRequiredParametersAndListsEveryDeliveryWithItsOutcome() throws Exception {
        String alias = unique("params-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", 9, "user", "deploy", "path", "/srv/app",
                        "host_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
                        "parameters", List.of(Map.of("name", "REGION", "type", "string", "required", true),
                                Map.of("name", "SERVICE", "type", "string", "required", true))))
                .post("/api/servers").then().statusCode(201);
        // refused at creation, naming the field: an undeclared name, REF, a pointer that is not one
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("parameters", Map.of("COLOUR", "red")),
                Map.<String, Object>of("parameters", Map.of("REF", "main")), Map.<String, Object>of("event_parameters", Map.of("SERVICE", "repository.name")))) {
            Map<String, Object> body = new HashMap<>(Map.of("name", unique("bad-"), "server", alias, "kind", "github"));
            body.putAll(bad);
            String field = bad.keySet().iterator().next() + "." + ((Map<?, ?>) bad.values().iterator().next()).keySet().iterator().next();
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/hooks").then().statusCode(400)
                    .contentType(containsString("problem+json")).body("violations[0].field", equalTo(field));
        }

        Map<String, Object> bare = new HashMap<>(Map.of("name", unique("bare-"), "server", alias, "kind", "github"));
        Map<String, Object> noParams = given().auth().oauth2(admin).contentType(ContentType.JSON).body(bare).post("/api/hooks")
                .then().statusCode(201).extract().jsonPath().getMap("");
        String push = "{\"ref\":\"refs/heads/main\",\"after\":\"" + "ab".repeat(20) + "\",\"repository\":{\"name\":\"shop-api\"}}";
        github(noParams, (String) noParams.get("secret"), "push", UUID.randomUUID().toString(), push).then().statusCode(400)
                .body("detail", containsString("REGION"));
        github(noParams, "not-the-secret", "push", UUID.randomUUID().toString(), push).then().statusCode(401);
        JsonPath refused = given().auth().oauth2(admin).get("/api/hooks/" + noParams.get("id") + "/deliveries").then().statusCode(200)
                .extract().jsonPath();
        assertThat(refused.getList("outcome", String.class)).containsExactly("refused", "refused");
        assertThat(refused.getList("status", Integer.class)).containsExactly(401, 400);
        assertThat(refused.getString("[1].reason")).contains("REGION");
        assertThat(refused.getString("[1].event")).isEqualTo("push");

        Map<String, Object> withParams = new HashMap<>(Map.of("name", unique("filled-"), "server", alias, "kind", "github",
                "parameters", Map.of("REGION", "eu-west"), "event_parameters", Map.of("SERVICE", "/repository/name")));
        Map<String, Object> hook = given().auth().oauth2(admin).contentType(ContentType.JSON).body(withParams).post("/api/hooks")
                .then().statusCode(201).body("parameters.REGION", equalTo("eu-west")).body("event_parameters.SERVICE", equalTo("/repository/name"))
                .extract().jsonPath().getMap("");
        String delivery = UUID.randomUUID().toString();
        long id = github(hook, (String) hook.get("secret"), "push", delivery, push.replace("ab", "cd")).then().statusCode(202)
                .extract().jsonPath().getLong("id");
        given().auth().oauth2(admin).get("/api/deployments/" + id).then().statusCode(200).body("parameters.REGION", equalTo("eu-west"))
                .body("parameters.SERVICE", equalTo("shop-api")).body("ref", equalTo("cd".repeat(20)));
        github(hook, (String) hook.get("secret"), "ping", UUID.randomUUID().toString(), "{}").then().statusCode(204);
        JsonPath listed = given().auth().oauth2(admin).get("/api/hooks/" + hook.get("id") + "/deliveries").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getList("outcome", String.class)).containsExactly("skipped", "queued");
        assertThat(listed.getLong("[1].deployment_id")).isEqualTo(id);
        assertThat(listed.getString("[1].delivery")).isEqualTo(delivery);
        assertThat(listed.getString("[0].reason")).contains("ping");
        assertThat(queryString("SELECT string_agg(detail, ' | ') FROM audit_events WHERE action = 'hook.delivery' AND target = '" + hook.get("id") + "'"))
                .contains("queued deployment #" + id + " (delivery " + delivery + ")").contains("event 'ping' does not deploy (delivery");

        // the Hooks page says the same: the parameters, the last outcome and the list
        String page = given().auth().oauth2(admin).get("/hooks").then().statusCode(200).extract().asString();
        assertThat(page).contains("REGION=eu-west").contains("SERVICE ← /repository/name").contains("2 recent deliveries")
                .contains("deployment #" + id).contains("Missing or wrong signature");
    }

    /** Lead time counts from the commit: the first push that carries a version records when its commit was made. */
    @Test
    void aPushRecordsWhenItsCommitWasMade() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        // GitLab: the commit that is checkout_sha, not the last one listed
        assertThat(HookService.committedAt(json.readTree("{\"checkout_sha\":\"aaa1111\",\"commits\":[{\"id\":\"aaa1111\","
                + "\"timestamp\":\"2026-11-30T10:00:00+01:00\"},{\"id\":\"bbb2222\",\"timestamp\":\"2026-11-30T11:00:00+01:00\"}]}")))
                .isEqualTo(java.time.OffsetDateTime.parse("2026-11-30T10:00:00+01:00"));
        assertThat(HookService.committedAt(json.readTree("{\"head_commit\":{\"timestamp\":\"not a time\"}}"))).isNull();

        Map<String, Object> hook = hook("github", Map.of());
        String sha = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
        String push = "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"head_commit\":{\"message\":\"x\","
                + "\"timestamp\":\"2026-11-30T09:15:00-05:00\"}}";
        github(hook, (String) hook.get("secret"), "push", UUID.randomUUID().toString(), push).then().statusCode(202);
        assertThat(queryString("SELECT to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM ref_commits WHERE ref = '" + sha + "'"))
                .isEqualTo("2026-11-30 14:15");
        // a later push of the same version changes nothing
        github(hook, (String) hook.get("secret"), "push", UUID.randomUUID().toString(), push.replace("09:15", "23:59").replace("\"x\"", "\"y\""))
                .then().statusCode(409);
        assertThat(queryString("SELECT count(*) FROM ref_commits WHERE ref = '" + sha + "'")).isEqualTo("1");
    }

    @Test
    void aGithubDeliveryIsAuditedWithItsDeploymentAndEveryRefusalToo() {
        Map<String, Object> hook = hook("github", Map.of());
        String secret = (String) hook.get("secret");
        String name = (String) hook.get("name");
        String delivery = UUID.randomUUID().toString();
        long id = github(hook, secret, "push", delivery, PUSH_MAIN).then().statusCode(202).extract().jsonPath().getLong("id");
        github(hook, secret, "push", delivery, PUSH_MAIN).then().statusCode(409);
        github(hook, "not-the-secret", "push", UUID.randomUUID().toString(), PUSH_MAIN).then().statusCode(401);
        github(hook, secret, "ping", UUID.randomUUID().toString(), "{\"zen\":\"hi\"}").then().statusCode(204);

        JsonPath audit = given().auth().oauth2(admin).queryParam("actor", "hook:" + name).queryParam("limit", 50)
                .get("/api/audit").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> items = audit.getList("items");
        // the deployment the delivery queued, named by id, with where it came from
        assertThat(items).anySatisfy(e -> assertThat(e).containsEntry("action", "deployment.triggered")
                .containsEntry("target", "#" + id + " " + server).containsEntry("via", "hook:" + name).containsEntry("success", true));
        assertThat(items).anySatisfy(e -> assertThat(e).containsEntry("action", "hook.delivery").containsEntry("success", true)
                .containsEntry("detail", "queued deployment #" + id + " (delivery " + delivery + ")"));
        assertThat(items).anySatisfy(e -> assertThat(e).containsEntry("action", "hook.delivery").containsEntry("success", false)
                .satisfies(x -> assertThat((String) x.get("detail")).startsWith("refused: Delivery " + delivery)));
        // each refusal and skip with the delivery's id and event
        assertThat(items).anySatisfy(e -> assertThat(e).containsEntry("action", "hook.delivery").containsEntry("success", false)
                .satisfies(x -> assertThat((String) x.get("detail")).startsWith("refused: Missing or wrong signature (delivery ").endsWith(", event push)")));
        assertThat(items).anySatisfy(e -> assertThat(e).containsEntry("action", "hook.delivery")
                .satisfies(x -> assertThat((String) x.get("detail")).startsWith("skipped: event 'ping' does not deploy (delivery ")));
        // the refused replay left nothing behind: one deployment, one set of keys
        assertThat(items.stream().filter(e -> "deployment.triggered".equals(e.get("action")))).hasSize(1);
    }

    @Test
    void gitlabTokenAndGenericHmac() throws Exception {
        Map<String, Object> gitlab = hook("gitlab", Map.of());
        String token = (String) gitlab.get("secret");
        given().contentType(ContentType.JSON).header("X-Gitlab-Event", "Push Hook").header("X-Gitlab-Token", token)
                .header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
                .body("{\"ref\":\"refs/heads/feature\",\"checkout_sha\":\"abcdef0123456789\"}")
                .post((String) gitlab.get("url")).then().statusCode(202).body("note", equalTo("push to refs/heads/feature at abcdef0"));
        given().contentType(ContentType.JSON).header("X-Gitlab-Event", "Push Hook").header("X-Gitlab-Token", token + "x")
                .body("{}").post((String) gitlab.get("url")).then().statusCode(401);
        given().contentType(ContentType.JSON).header("X-Gitlab-Event", "Merge Request Hook").header("X-Gitlab-Token", token)
                .body("{}").post((String) gitlab.get("url")).then().statusCode(204);
        // the GitLab token is stored only as a hash
        assertThat(queryString("SELECT coalesce(secret, 'none') FROM hooks WHERE id = '" + gitlab.get("id") + "'")).isEqualTo("none");

        Map<String, Object> hmac = hook("hmac", Map.of("header_name", "X-Ci-Signature", "algorithm", "sha512"));
        String secret = (String) hmac.get("secret");
        String body = "{\"build\":42}";
        String sig = Signatures.hmacHex("sha512", secret, body.getBytes(StandardCharsets.UTF_8));
        given().contentType(ContentType.JSON).header("X-Ci-Signature", sig).body(body)
                .post((String) hmac.get("url")).then().statusCode(202);
        // without a delivery id, the same payload twice is a replay
        given().contentType(ContentType.JSON).header("X-Ci-Signature", sig).body(body)
                .post((String) hmac.get("url")).then().statusCode(409);
        given().contentType(ContentType.JSON).header("X-Ci-Signature", Signatures.hmacHex("sha256", secret, body.getBytes(StandardCharsets.UTF_8)))
                .header("X-Delivery-Id", "other").body(body).post((String) hmac.get("url")).then().statusCode(401);
        assertThat(deploymentsOfServer()).isEqualTo(2);
    }

    @Test
    void onlyAdminsManageHooksAndBadInputIs400() {
        RoleTokens t = roleTokens();
        given().auth().oauth2(t.operator()).get("/api/hooks").then().statusCode(403);
        given().auth().oauth2(t.viewer()).contentType(ContentType.JSON).body(Map.of("name", "x", "server", server, "kind", "github"))
                .post("/api/hooks").then().statusCode(403);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "server", server, "kind", "bitbucket"))
                .post("/api/hooks").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "server", "no-such-server", "kind", "github"))
                .post("/api/hooks").then().statusCode(404);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "x", "server", server, "kind", "hmac", "algorithm", "md5")).post("/api/hooks").then().statusCode(400);
    }

    @Test
    void aHookBoundToARolloutStartsItWithThePushedVersionOnceAndRefusesABadRolloutByItsField() throws Exception {
        String second = unique("hooked-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", second, "alias", second, "host", "127.0.0.1", "port", 9, "user", "deploy", "path", "/srv/app",
                        "host_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"))
                .post("/api/servers").then().statusCode(201);
        String group = unique("hookfleet-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers", List.of(server, second)))
                .post("/api/groups").then().statusCode(201);
        Map<String, Object> rollout = Map.of("target", Map.of("group", group), "strategy", "rolling", "batch", 1);

        // refused by the field, nothing created: both targets, neither, a ref, a bad batch, an unknown group
        Map<String, Object> base = Map.of("name", unique("roll-"), "kind", "github");
        java.util.function.Function<Map<String, Object>, Response> create = extra -> {
            Map<String, Object> body = new HashMap<>(base);
            body.putAll(extra);
            return given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/hooks");
        };
        create.apply(Map.of("server", server, "rollout", rollout)).then().statusCode(400).body("violations[0].field", equalTo("server"));
        create.apply(Map.of()).then().statusCode(400).body("violations[0].field", equalTo("server"));
        create.apply(Map.of("rollout", Map.of("target", Map.of("group", group), "ref", "v1"))).then().statusCode(400)
                .body("violations[0].field", equalTo("rollout.ref"));
        create.apply(Map.of("rollout", Map.of("target", Map.of("group", group), "batch", "150%"))).then().statusCode(400)
                .contentType("application/problem+json").body("violations[0].field", equalTo("rollout.batch"));
        create.apply(Map.of("rollout", Map.of("target", Map.of("group", "no-such-" + group)))).then().statusCode(400)
                .body("violations[0].field", equalTo("rollout.target.group"));
        assertThat(queryLong("SELECT count(*) FROM hooks WHERE name = '" + base.get("name") + "'")).isZero();

        Map<String, Object> hook = create.apply(Map.of("rollout", rollout, "branch", "main")).then().statusCode(201)
                .body("rollout.target.group", equalTo(group)).body("server", nullValue()).extract().jsonPath().getMap("");
        String secret = (String) hook.get("secret");
        String delivery = UUID.randomUUID().toString();
        Response started = github(hook, secret, "push", delivery, PUSH_MAIN);
        started.then().statusCode(201).body("servers", equalTo(2)).body("waves", equalTo(2));
        long id = started.jsonPath().getLong("id");
        assertThat(started.header("Location")).endsWith("/api/rollouts/" + id);
        given().auth().oauth2(admin).get("/api/rollouts/" + id).then().statusCode(200)
                .body("ref", equalTo("0123456789abcdef0123456789abcdef01234567"))
                .body("note", equalTo("push to refs/heads/main at 0123456: Fix the checkout"))
                .body("waves", equalTo(List.of(List.of(server), List.of(second))));
        // the same push again: a replay, nothing more started
        github(hook, secret, "push", delivery, PUSH_MAIN).then().statusCode(409);
        // another commit while the rollout has not ended: its servers are busy (409 naming it), and the delivery is not
        // spent: once the rollout is aborted, the same delivery starts the next one
        String next = PUSH_MAIN.replace("0123456789abcdef", "fedcba9876543210");
        String nextDelivery = UUID.randomUUID().toString();
        github(hook, secret, "push", nextDelivery, next).then().statusCode(409).body("detail", org.hamcrest.Matchers.containsString("#" + id));
        given().auth().oauth2(admin).contentType(ContentType.JSON).post("/api/rollouts/" + id + "/abort").then().statusCode(200);
        github(hook, secret, "push", nextDelivery, next).then().statusCode(201);
        assertThat(queryString("SELECT string_agg(detail, ',') FROM audit_events WHERE action = 'hook.delivery' AND target = '"
                + hook.get("id") + "'")).contains("started rollout #" + id).contains("refused: ");
    }

    /**
     * A delivery to a rollout hook takes its replay keys, creates the rollout and records itself in one transaction: when
     * the record cannot be written (a trigger refuses it here, as a crash at that point would), no rollout is left behind
     * and no key is spent, and the sender's retry of the same delivery starts the rollout once.
     */
    @Test
    void aRolloutDeliveryThatCannotBeRecordedLeavesNoRolloutAndNoSpentKey() throws Exception {
        String group = unique("hookatomic-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers", List.of(server)))
                .post("/api/groups").then().statusCode(201);
        Map<String, Object> hook = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("atomic-"), "kind", "github", "rollout", Map.of("target", Map.of("group", group))))
                .post("/api/hooks").then().statusCode(201).extract().jsonPath().getMap("");
        String secret = (String) hook.get("secret");
        String delivery = UUID.randomUUID().toString();
        String rollouts = "SELECT count(*) FROM rollouts WHERE target::text LIKE '%" + group + "%'";
        update("CREATE OR REPLACE FUNCTION test_refuse_delivery_record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.action = 'hook.delivery' AND NEW.target = '" + hook.get("id") + "' AND NEW.detail LIKE 'started rollout%' "
                + "THEN RAISE EXCEPTION 'delivery record refused for the test'; END IF; RETURN NEW; END $$");
        update("DROP TRIGGER IF EXISTS test_refuse_delivery_record ON audit_events");
        update("CREATE TRIGGER test_refuse_delivery_record BEFORE INSERT ON audit_events FOR EACH ROW "
                + "EXECUTE FUNCTION test_refuse_delivery_record()");
        try {
            assertThat(github(hook, secret, "push", delivery, PUSH_MAIN).statusCode()).isGreaterThanOrEqualTo(500);
            assertThat(queryLong(rollouts)).as("rollouts left by the failed delivery").isZero();
            assertThat(queryLong("SELECT count(*) FROM hook_deliveries WHERE delivery_id = '" + delivery + "'")).as("spent keys").isZero();
        } finally {
            update("DROP TRIGGER IF EXISTS test_refuse_delivery_record ON audit_events");
        }
        github(hook, secret, "push", delivery, PUSH_MAIN).then().statusCode(201);
        github(hook, secret, "push", delivery, PUSH_MAIN).then().statusCode(409);
        assertThat(queryLong(rollouts)).isEqualTo(1);
    }
}
