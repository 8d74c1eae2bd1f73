package io.triggerdeploy.notify;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TestSshServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Notifications against real receivers on loopback: GreenMail as the SMTP server, a JDK HTTP server standing in
 * for the Telegram Bot API and for a webhook receiver that checks the signature.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class NotificationTest extends ApiTest {

    static final Path DIR = Deploys.DIR;
    static final KeyPair CLIENT = Deploys.CLIENT;
    static final String BOT_TOKEN = "123456789:AAFakeTokenForTheLocalTelegramStandIn_x";
    static final String HOOK_SECRET = "webhook-signing-secret-0123456789";
    static TestSshServer sshd;
    static GreenMail smtp;
    static HttpServer receiver;
    static final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    static final AtomicInteger flakyCalls = new AtomicInteger();

    String admin;

    record Received(String path, Map<String, List<String>> headers, byte[] body) {
        JsonObject json() {
            return new JsonObject(new String(body, StandardCharsets.UTF_8));
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    @BeforeAll
    static void startReceivers() throws IOException {
        sshd = TestSshServer.start("deployer", CLIENT.getPublic());
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            int status = 200;
            if (path.equals("/flaky") && flakyCalls.incrementAndGet() == 1) {
                status = 503;
            } else if (path.startsWith("/broken")) {
                status = 500;
            } else {
                received.add(new Received(path, new HashMap<>(exchange.getRequestHeaders()), body));
            }
            byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceivers() throws Exception {
        // the application goes on serving the other deployment tests: nothing of these channels may call out then
        update("DELETE FROM notification_channels");
        receiver.stop(0);
        smtp.stop();
        sshd.close();
    }

    @BeforeEach
    void token() {
        admin = adminToken();
    }

    String base() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort();
    }

    long channel(Map<String, Object> body) {
        Response r = given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/notifications/channels");
        r.then().statusCode(201);
        return r.<Number>path("id").longValue();
    }

    static List<MimeMessage> tests() {
        return Arrays.stream(smtp.getReceivedMessages()).filter(x -> {
            try {
                return x.getSubject().contains("test message");
            } catch (Exception e) {
                return false;
            }
        }).toList();
    }

    List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Test
    void channelsCannotReachOutsideTheirNetworks() throws Exception {
        // a receiver on 127.0.0.2 that must never be reached
        java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer forbidden = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        forbidden.createContext("/", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        forbidden.start();
        try {
            String outside = "http://127.0.0.2:" + forbidden.getAddress().getPort();
            long before = queryLong("SELECT count(*) FROM notification_channels");
            Map<String, Map<String, Object>> refused = Map.of(
                    "settings.url", Map.of("name", unique("wh-"), "kind", "webhook", "events", List.of("deployment.failed"),
                            "secret", HOOK_SECRET, "settings", Map.of("url", outside + "/x")),
                    "settings.api_base_url", Map.of("name", unique("tg-"), "kind", "telegram", "events", List.of("deployment.failed"),
                            "secret", BOT_TOKEN, "settings", Map.of("chat_id", "42", "api_base_url", outside)),
                    "settings.smtp_host", Map.of("name", unique("mail-"), "kind", "email", "events", List.of("deployment.failed"),
                            "secret", "smtp-password-1", "settings", Map.of("smtp_host", "127.0.0.2", "smtp_port", smtp.getSmtp().getPort(),
                                    "smtp_tls", "none", "smtp_username", "u", "from", "deploy@example.test", "to", "ops@example.test")));
            refused.forEach((field, body) -> given().auth().oauth2(admin).contentType(ContentType.JSON).body(body)
                    .post("/api/notifications/channels").then().statusCode(400).contentType("application/problem+json")
                    .body("violations[0].field", org.hamcrest.Matchers.equalTo(field))
                    .body("detail", org.hamcrest.Matchers.containsString("trigger.notify.allow-networks")));
            assertThat(queryLong("SELECT count(*) FROM notification_channels")).isEqualTo(before);

            // a channel saved while its host was allowed (or whose name now resolves elsewhere) is refused when sending
            long webhook = channel(Map.of("name", unique("wh-"), "kind", "webhook", "events", List.of("deployment.failed"),
                    "secret", HOOK_SECRET, "settings", Map.of("url", base() + "/receiver")));
            update("UPDATE notification_channels SET settings = jsonb_set(settings, '{url}', to_jsonb('" + outside
                    + "/x'::text)) WHERE id = " + webhook);
            given().auth().oauth2(admin).post("/api/notifications/channels/" + webhook + "/test").then().statusCode(502)
                    .body("detail", org.hamcrest.Matchers.containsString("outside the allowed networks"));
            assertThat(hits.get()).isZero();
        } finally {
            forbidden.stop(0);
        }
    }

    @Test
    void testMessagesReachSmtpTelegramAndASignedWebhookAndSecretsStayHidden() throws Exception {
        long mail = channel(Map.of("name", unique("mail-"), "kind", "email", "events", List.of("deployment.failed"),
                "settings", Map.of("smtp_host", "127.0.0.1", "smtp_port", smtp.getSmtp().getPort(), "smtp_tls", "none",
                        "from", "deploy@example.test", "to", "ops@example.test, lead@example.test")));
        long telegram = channel(Map.of("name", unique("tg-"), "kind", "telegram", "events", List.of("deployment.failed"),
                "secret", BOT_TOKEN, "settings", Map.of("chat_id", "-100123", "api_base_url", base())));
        long webhook = channel(Map.of("name", unique("wh-"), "kind", "webhook", "events", List.of("deployment.failed"),
                "secret", HOOK_SECRET, "settings", Map.of("url", base() + "/receiver")));

        String listed = given().auth().oauth2(admin).get("/api/notifications/channels").then().statusCode(200).extract().asString();
        assertThat(listed).doesNotContain(BOT_TOKEN).doesNotContain(HOOK_SECRET).contains("\"has_secret\":true");

        for (long id : new long[]{mail, telegram, webhook}) {
            given().auth().oauth2(admin).post("/api/notifications/channels/" + id + "/test").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> tests().size() >= 2);
        assertThat(tests().stream().flatMap(x -> {
            try {
                return Arrays.stream(x.getAllRecipients());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).map(Object::toString)).contains("ops@example.test", "lead@example.test");

        Received tg = at("/bot" + BOT_TOKEN + "/sendMessage").get(0);
        assertThat(tg.json().getString("chat_id")).isEqualTo("-100123");
        assertThat(tg.json().getString("text")).contains("test message");

        Received wh = at("/receiver").get(0);
        assertThat(wh.header("X-Trigger-Deploy-Signature"))
                .isEqualTo("sha256=" + Signatures.hmacHex("sha256", HOOK_SECRET, wh.body()));
        // a test event, not a fake deployment.succeeded a receiver would act on
        assertThat(wh.json().getString("event")).isEqualTo("channel.test");
        assertThat(wh.json().getJsonObject("data").getBoolean("test")).isTrue();

        // a receiver that fails: 502 with the reason, and neither the URL nor the token in it
        long broken = channel(Map.of("name", unique("broken-"), "kind", "telegram", "events", List.of("service.down"),
                "secret", BOT_TOKEN, "settings", Map.of("chat_id", "42", "api_base_url", base() + "/broken")));
        String problem = given().auth().oauth2(admin).post("/api/notifications/channels/" + broken + "/test")
                .then().statusCode(502).contentType("application/problem+json").extract().asString();
        assertThat(problem).contains("HTTP 500").doesNotContain(BOT_TOKEN).doesNotContain("/broken");
        given().auth().oauth2(admin).get("/api/notifications/channels/" + broken).then().statusCode(200)
                .body("last_error", org.hamcrest.Matchers.containsString("HTTP 500"));
    }

    @Test
    void aFailedDeploymentIsAnnouncedWithItsLastLinesAndFlakyReceiversAreRetried() throws Exception {
        String alias = unique("notify-");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho one\necho two\necho three\necho four\nexit 7\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", work.toString(), "host_key", sshd.hostKeyLine()))
                .post("/api/servers").then().statusCode(201);
        channel(Map.of("name", unique("flaky-"), "kind", "webhook", "events", List.of("deployment.started", "deployment.failed"),
                "secret", HOOK_SECRET, "settings", Map.of("url", base() + "/flaky")));
        int mailsBefore = smtp.getReceivedMessages().length;
        channel(Map.of("name", unique("mail2-"), "kind", "email", "events", List.of("deployment.failed"),
                "settings", Map.of("smtp_host", "127.0.0.1", "smtp_port", smtp.getSmtp().getPort(), "smtp_tls", "none",
                        "from", "deploy@example.test", "to", List.of("oncall@example.test"))));

        long id = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("server", alias))
                .post("/api/deployments").then().statusCode(202).extract().<Number>path("id").longValue();

        // the first call to /flaky fails with 503; the retry (2 s later) arrives
        await().atMost(Duration.ofSeconds(30)).until(() -> at("/flaky").stream()
                .anyMatch(r -> "deployment.failed".equals(r.json().getString("event")))
                && at("/flaky").stream().anyMatch(r -> "deployment.started".equals(r.json().getString("event"))));
        List<Received> flaky = at("/flaky");
        assertThat(flaky).anyMatch(r -> "deployment.started".equals(r.json().getString("event")));
        Received failed = flaky.stream().filter(r -> "deployment.failed".equals(r.json().getString("event"))).findFirst().orElseThrow();
        assertThat(failed.header("X-Trigger-Deploy-Signature")).isEqualTo("sha256=" + Signatures.hmacHex("sha256", HOOK_SECRET, failed.body()));
        JsonObject data = failed.json().getJsonObject("data");
        assertThat(data.getLong("deployment_id")).isEqualTo(id);
        assertThat(data.getInteger("exit_code")).isEqualTo(7);
        assertThat(data.getString("url")).isEqualTo("https://deploy.example.test/deployments/" + id);
        assertThat(flakyCalls.get()).isGreaterThanOrEqualTo(2);

        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length > mailsBefore);
        MimeMessage mail = Arrays.stream(smtp.getReceivedMessages()).filter(x -> {
            try {
                return x.getSubject().contains("#" + id + " failed");
            } catch (Exception e) {
                return false;
            }
        }).findFirst().orElseThrow();
        String body = GreenMailUtil.getBody(mail);
        // the last 3 lines, which end with trigger-deploy's own closing lines
        assertThat(body).contains("Exit code: 7").contains("Last 3 log lines").contains("Finished: FAILED")
                .contains("https://deploy.example.test/deployments/" + id);
    }

    /** Approvals asked for, given and refused, and a broken glass, reach the channels that subscribed to them. */
    @Test
    void approvalsAndBreakGlassAreAnnounced() throws Exception {
        String env = unique("gated-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", env, "required_approvals", 1, "break_glass", true))
                .post("/api/environments").then().statusCode(201);
        String alias = unique("gate-");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho ok\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", work.toString(), "host_key", sshd.hostKeyLine(), "environment", env))
                .post("/api/servers").then().statusCode(201);
        String path = "/" + unique("gates");
        channel(Map.of("name", unique("gate-"), "kind", "webhook", "events", List.of("deployment.awaiting_approval",
                        "deployment.approved", "deployment.rejected", "deployment.break_glass"),
                "secret", HOOK_SECRET, "settings", Map.of("url", base() + path)));
        String approverName = unique("appr");
        createUser(admin, approverName, "approver-pass", "operator");
        String approver = login(approverName, "approver-pass");
        java.util.function.Function<Map<String, Object>, Long> trigger = body -> given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(body).post("/api/deployments").then().statusCode(202).extract().<Number>path("id").longValue();

        long approved = trigger.apply(Map.of("server", alias));
        given().auth().oauth2(approver).contentType(ContentType.JSON).body(Map.of("comment", "ship it"))
                .post("/api/deployments/" + approved + "/approve").then().statusCode(200);
        long rejected = trigger.apply(Map.of("server", alias));
        given().auth().oauth2(approver).contentType(ContentType.JSON).body(Map.of("comment", "not today"))
                .post("/api/deployments/" + rejected + "/reject").then().statusCode(200);
        long glass = trigger.apply(Map.of("server", alias, "break_glass", "outage"));

        await().atMost(Duration.ofSeconds(20)).until(() -> at(path).size() >= 5);
        Map<String, List<Long>> byEvent = new java.util.TreeMap<>();
        at(path).forEach(r -> byEvent.computeIfAbsent(r.json().getString("event"), k -> new java.util.ArrayList<>())
                .add(r.json().getJsonObject("data").getLong("deployment_id")));
        assertThat(byEvent.get("deployment.awaiting_approval")).containsExactlyInAnyOrder(approved, rejected);
        assertThat(byEvent.get("deployment.approved")).containsExactly(approved);
        assertThat(byEvent.get("deployment.rejected")).containsExactly(rejected);
        assertThat(byEvent.get("deployment.break_glass")).containsExactly(glass);
        Received refusal = at(path).stream().filter(r -> "deployment.rejected".equals(r.json().getString("event"))).findFirst().orElseThrow();
        JsonObject data = refusal.json().getJsonObject("data");
        assertThat(data.getString("by")).isEqualTo(approverName);
        assertThat(data.getString("comment")).isEqualTo("not today");
        assertThat(data.getString("environment")).isEqualTo(env);
        assertThat(data.getString("url")).isEqualTo("https://deploy.example.test/deployments/" + rejected);
        assertThat(refusal.json().getString("text")).contains("Rejected by " + approverName).contains("Comment: not today");
    }

    /**
     * Slack, Microsoft Teams and Discord through their incoming webhooks: the URL is the secret (never shown again,
     * never in the audit record), each app gets the body it reads, and an approval request reaches them.
     */
    @Test
    void chatAppsGetTheirOwnMessageAndTheirUrlStaysSecret() throws Exception {
        Map<String, String> paths = new java.util.LinkedHashMap<>();
        for (String kind : List.of("slack", "teams", "discord")) {
            String path = "/" + unique(kind + "-") + "/T0/B0/hook-token-" + kind;
            paths.put(kind, path);
            long id = channel(Map.of("name", unique(kind + "-"), "kind", kind, "events", List.of("deployment.awaiting_approval"),
                    "secret", base() + path));
            String shown = given().auth().oauth2(admin).get("/api/notifications/channels/" + id).then().statusCode(200)
                    .body("kind", org.hamcrest.Matchers.equalTo(kind)).extract().asString();
            assertThat(shown).doesNotContain("hook-token-");
            given().auth().oauth2(admin).post("/api/notifications/channels/" + id + "/test").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> paths.values().stream().allMatch(p -> !at(p).isEmpty()));
        assertThat(new JsonObject(new String(at(paths.get("slack")).get(0).body(), StandardCharsets.UTF_8)).getString("text")).contains("test message");
        assertThat(new JsonObject(new String(at(paths.get("teams")).get(0).body(), StandardCharsets.UTF_8)).getString("text")).contains("test message");
        assertThat(new JsonObject(new String(at(paths.get("discord")).get(0).body(), StandardCharsets.UTF_8)).getString("content")).contains("test message");
        assertThat(queryString("SELECT coalesce(string_agg(detail, ' '), '') FROM audit_events WHERE action LIKE 'channel.%'")).doesNotContain("hook-token-");

        // refused, naming the field: no URL, not a URL, an address the policy refuses
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("name", unique("s-"), "kind", "slack", "events", List.of("deployment.failed")),
                Map.of("name", unique("s-"), "kind", "discord", "events", List.of("deployment.failed"), "secret", "not a url"),
                Map.of("name", unique("s-"), "kind", "teams", "events", List.of("deployment.failed"), "secret", "http://127.0.0.2/hook"),
                Map.of("name", unique("s-"), "kind", "slack", "events", List.of("deployment.failed"), "secret", base() + "/x",
                        "settings", Map.of("url", base())))) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad).post("/api/notifications/channels").then().statusCode(400)
                    .body("violations[0].field", org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.equalTo("secret"),
                            org.hamcrest.Matchers.equalTo("settings.url")));
        }
        // the test message is no event a channel can subscribe to
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", unique("s-"), "kind", "slack",
                        "events", List.of("channel.test"), "secret", base() + "/slack-hook"))
                .post("/api/notifications/channels").then().statusCode(400).body("violations[0].field", org.hamcrest.Matchers.equalTo("events"));
        // the page offers them, and the approval events
        String page = given().auth().oauth2(admin).get("/notifications").then().statusCode(200).extract().asString();
        assertThat(page).contains("<option value=\"slack\">").contains("<option value=\"discord\">").contains("data-event=\"deployment.awaiting_approval\"")
                .contains("data-event=\"deployment.expired\"");
    }

    /** A secret parameter and a secret variable echoed by a failing script reach messages only as ***. */
    @Test
    void secretsNeverReachAMessage() throws Exception {
        String alias = unique("secret-notify-");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"pw=$DB_PASSWORD token=$API_TOKEN\"\nexit 3\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", work.toString(), "host_key", sshd.hostKeyLine(),
                        "parameters", List.of(Map.of("name", "API_TOKEN", "type", "secret")),
                        "secrets", Map.of("DB_PASSWORD", "variable-secret-9f3e")))
                .post("/api/servers").then().statusCode(201);
        String path = "/secrets-" + alias;
        channel(Map.of("name", unique("secrets-"), "kind", "webhook", "events", List.of("deployment.started", "deployment.failed"),
                "secret", HOOK_SECRET, "settings", Map.of("url", base() + path)));
        int mailsBefore = smtp.getReceivedMessages().length;
        channel(Map.of("name", unique("secret-mail-"), "kind", "email", "events", List.of("deployment.failed"),
                "settings", Map.of("smtp_host", "127.0.0.1", "smtp_port", smtp.getSmtp().getPort(), "smtp_tls", "none",
                        "from", "deploy@example.test", "to", List.of("secrets@example.test"))));
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("server", alias, "parameters", Map.of("API_TOKEN", "parameter-secret-7c1d")))
                .post("/api/deployments").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> at(path).size() >= 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length > mailsBefore);
        StringBuilder everything = new StringBuilder();
        at(path).forEach(r -> everything.append(new String(r.body(), StandardCharsets.UTF_8)));
        for (MimeMessage m : smtp.getReceivedMessages()) {
            everything.append(m.getSubject()).append(GreenMailUtil.getBody(m));
        }
        assertThat(everything.toString()).contains("pw=*** token=***").doesNotContain("variable-secret-9f3e")
                .doesNotContain("parameter-secret-7c1d");
    }

    @Test
    void badChannelsAre400AndOnlyAdminsManageThem() {
        RoleTokens t = roleTokens();
        given().auth().oauth2(t.operator()).get("/api/notifications/channels").then().statusCode(403);
        // a password hidden in the visible settings is refused
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "x1", "kind", "email", "events", List.of("deployment.failed"),
                        "settings", Map.of("smtp_host", "mail.example.test", "from", "a@example.test", "to", "b@example.test",
                                "password", "hunter2")))
                .post("/api/notifications/channels").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "x2", "kind", "telegram", "events", List.of("deployment.failed"), "settings", Map.of("chat_id", "1")))
                .post("/api/notifications/channels").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "x3", "kind", "webhook", "events", List.of("deployment.exploded"), "secret", HOOK_SECRET,
                        "settings", Map.of("url", "http://127.0.0.1:1/x")))
                .post("/api/notifications/channels").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "x4", "kind", "webhook", "events", List.of("service.down"), "secret", HOOK_SECRET,
                        "settings", Map.of("url", "file:///etc/passwd")))
                .post("/api/notifications/channels").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", "x5", "kind", "pigeon"))
                .post("/api/notifications/channels").then().statusCode(400);
    }
}
