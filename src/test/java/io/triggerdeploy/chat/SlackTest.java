package io.triggerdeploy.chat;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/**
 * Slack slash commands against the real endpoint: Slack's signing example as a vector, stale and replayed requests,
 * unlinked users, roles, and a deploy through the in-process SSH server with its progress posted to a loopback
 * receiver standing in for the command's response_url.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class SlackTest extends ApiTest {

    static final String SECRET = Deploys.SLACK_SECRET;
    static final Path DIR = Deploys.DIR;
    static final KeyPair CLIENT = Deploys.CLIENT;
    static TestSshServer sshd;
    static HttpServer receiver;
    static final ConcurrentLinkedQueue<String> replies = new ConcurrentLinkedQueue<>();

    String admin;
    String operatorName;
    String viewerName;

    @BeforeAll
    static void start() throws IOException {
        sshd = TestSshServer.start("deployer", CLIENT.getPublic());
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            replies.add(exchange.getRequestURI().getPath() + " " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() throws IOException {
        sshd.close();
        receiver.stop(0);
    }

    @BeforeEach
    void users() {
        admin = adminToken();
        operatorName = unique("slackop");
        createUser(admin, operatorName, "operator-pass", "operator");
        viewerName = unique("slackview");
        createUser(admin, viewerName, "viewer-pass", "viewer");
    }

    static String form(String slackUser, String text, String responseUrl) {
        // like Slack, every request has a trigger_id of its own (so two equal commands in one second differ)
        return Map.of("token", "ignored", "team_id", "T1DC2JH3J", "user_id", slackUser, "user_name", "someone", "command", "/deploy",
                        "text", text, "response_url", responseUrl, "trigger_id", String.valueOf(System.nanoTime())).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static Response post(String body, long timestamp, String signature) {
        return given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", String.valueOf(timestamp))
                .header("X-Slack-Signature", signature).body(body).post("/api/chat/slack");
    }

    static String sign(long timestamp, String body) {
        return "v0=" + Signatures.hmacHex("sha256", SECRET, ("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
    }

    /** A signed command from {@code slackUser}; the ephemeral answer's text. */
    static String command(String slackUser, String text, String path) {
        long now = Instant.now().getEpochSecond();
        String body = form(slackUser, text, "http://127.0.0.1:" + receiver.getAddress().getPort() + path);
        return post(body, now, sign(now, body)).then().statusCode(200).body("response_type", equalTo("ephemeral"))
                .extract().path("text");
    }

    String link(String slackUser, String username) {
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("username", username))
                .put("/api/admin/slack/links/" + slackUser).then().statusCode(200).body("username", equalTo(username));
        return slackUser;
    }

    @Test
    void slacksOwnSigningExampleIsAcceptedAsAVector() {
        String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
                + "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
                + "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
                + "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assertThat(Signatures.hmacMatches("sha256", SECRET, SlackResource.signed(1531420618L, body.getBytes(StandardCharsets.UTF_8)),
                "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")).isTrue();
        // the same body, signed the same way for a current timestamp, is answered (an empty text is help)
        long now = Instant.now().getEpochSecond();
        post(body, now, sign(now, body)).then().statusCode(200).body("text", containsString("deploy <server>"));
    }

    @Test
    void wrongStaleAndReplayedRequestsAreRefused() {
        long now = Instant.now().getEpochSecond();
        String body = form("U0WRONG1", "help", "http://127.0.0.1:1/x");
        post(body, now, sign(now, body).replace('a', 'b').replace('1', '2')).then().statusCode(401)
                .contentType(containsString("application/problem+json"));
        given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", String.valueOf(now))
                .body(body).post("/api/chat/slack").then().statusCode(401); // no signature at all
        post(body + "&extra=1", now, sign(now, body)).then().statusCode(401); // a changed body
        long old = now - 301;
        post(body, old, sign(old, body)).then().statusCode(401).body("detail", containsString("5 minutes"));
        String fresh = sign(now, body);
        post(body, now, fresh).then().statusCode(200);
        post(body, now, fresh).then().statusCode(401).body("detail", containsString("replay"));
        // the same signature written another way (the hex re-cased, spaces around it) is the same request
        String recased = "v0=" + fresh.substring(3).toUpperCase(java.util.Locale.ROOT);
        assertThat(recased).isNotEqualTo(fresh);
        post(body, now, recased).then().statusCode(401).body("detail", containsString("replay"));
        post(body, now, " " + fresh.substring(0, 10) + fresh.substring(10).toUpperCase(java.util.Locale.ROOT) + " ").then().statusCode(401)
                .body("detail", containsString("replay"));
    }

    @Test
    void anUnlinkedUserMayOnlyAskForHelpOrALinkCodeAndTheCodeLinksOnce() {
        String slackUser = "U" + Long.toHexString(System.nanoTime()).toUpperCase();
        assertThat(command(slackUser, "list", "/x")).contains("not linked");
        assertThat(command(slackUser, "deploy anything", "/x")).contains("not linked");
        String answer = command(slackUser, "link", "/x");
        String code = answer.replaceAll("(?s).*\\*([A-Z0-9]{5}-[A-Z0-9]{5})\\*.*", "$1");
        assertThat(code).matches("[A-Z0-9]{5}-[A-Z0-9]{5}");
        String token = login(viewerName, "viewer-pass");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", "AAAAA-BBBBB")).post("/api/me/slack")
                .then().statusCode(400).body("detail", containsString("unknown or expired"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", code.toLowerCase())).post("/api/me/slack")
                .then().statusCode(200).body("slack_user_ids", equalTo(List.of(slackUser)));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", code)).post("/api/me/slack")
                .then().statusCode(400);
        assertThat(command(slackUser, "list", "/x")).matches("(?s)(\\*Servers\\*.*|No servers are registered\\.)");
        // a viewer may read but not deploy
        assertThat(command(slackUser, "deploy anything", "/x")).contains("need the operator role");
        given().auth().oauth2(token).delete("/api/me/slack").then().statusCode(204);
        assertThat(command(slackUser, "list", "/x")).contains("not linked");
    }

    @Test
    void aDeployFromSlackRunsAsTheLinkedUserAndPostsItsProgress() throws Exception {
        String alias = unique("chat");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"deploying $REF\"\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1",
                "port", sshd.port(), "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine()))
                .post("/api/servers").then().statusCode(201);
        String slackUser = link("U" + Long.toHexString(System.nanoTime()).toUpperCase(), operatorName);
        String path = "/reply-" + alias;

        assertThat(command(slackUser, "deploy " + alias + " REF=nope!", path)).contains("parameters.REF");
        assertThat(command(slackUser, "status no-such-" + alias, path)).contains("No server");
        String answer = command(slackUser, "deploy " + alias + " REF=v9.1", path);
        assertThat(answer).contains("queued").contains("(v9.1)").contains("https://deploy.example.test/deployments/");
        long id = Long.parseLong(answer.replaceAll("(?s).*Deployment #(\\d+).*", "$1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> replies.stream().filter(r -> r.startsWith(path + " ")).count() >= 2);
        List<JsonObject> posted = replies.stream().filter(r -> r.startsWith(path + " "))
                .map(r -> new JsonObject(r.substring(path.length() + 1))).toList();
        assertThat(posted.get(0).getString("text")).contains("#" + id).contains("started");
        assertThat(posted.get(1).getString("text")).contains("#" + id).contains("SUCCEEDED");
        given().auth().oauth2(admin).get("/api/deployments/" + id).then().statusCode(200)
                .body("requested_by", equalTo(operatorName)).body("source", equalTo("slack")).body("ref", equalTo("v9.1"));
        given().auth().oauth2(admin).get("/api/deployments/" + id + "/log").then().body(containsString("deploying v9.1"));
        given().auth().oauth2(admin).get("/api/audit?action=deployment.triggered").then().statusCode(200)
                .body(containsString("via slack"));
        assertThat(command(slackUser, "status " + alias, path)).contains("#" + id + " SUCCEEDED v9.1 by " + operatorName);
        assertThat(command(slackUser, "cancel " + id, path)).contains("already finished");
    }

    @Test
    void aRolloutFromSlackGoesOverTheGroupOrTheSelectorAsTheLinkedUser() throws Exception {
        String role = unique("r").toLowerCase();
        List<String> servers = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String alias = unique("chatfleet");
            Path work = Files.createDirectories(DIR.resolve(alias));
            Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"deploying $REF\"\n");
            assertThat(work.resolve("deploy.sh").toFile().setExecutable(true)).isTrue();
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1",
                    "port", sshd.port(), "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine(),
                    "labels", Map.of("role", role))).post("/api/servers").then().statusCode(201);
            servers.add(alias);
        }
        String group = unique("chatgroup");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers", servers))
                .post("/api/groups").then().statusCode(201);
        String operator = link("U" + Long.toHexString(System.nanoTime()).toUpperCase(), operatorName);
        String viewer = link("U" + Long.toHexString(System.nanoTime()).toUpperCase() + "V", viewerName);
        String path = "/rollout-" + group;

        // refused as the API refuses: a viewer, an unknown group, a bad batch, a word that is neither
        assertThat(command(viewer, "rollout " + group + " REF=v1", path)).contains("need the operator role");
        assertThat(command(operator, "rollout no-such-" + group + " REF=v1", path)).contains("no group 'no-such-" + group + "'");
        assertThat(command(operator, "rollout " + group + " REF=v1 batch=150%", path)).contains("batch");
        assertThat(command(operator, "rollout " + group + " REF=v1 whatever", path)).contains("`whatever` is neither");
        given().auth().oauth2(admin).get("/api/rollouts?limit=200").then().statusCode(200)
                .body(not(containsString(group)));

        String answer = command(operator, "rollout " + group + " REF=v5.0 batch=2", path);
        assertThat(answer).contains("Rollout #").contains("of 3 servers in 2 waves (v5.0) started")
                .contains("https://deploy.example.test/rollouts/");
        long id = Long.parseLong(answer.replaceAll("(?s).*Rollout #(\\d+).*", "$1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(admin).get("/api/rollouts/" + id)
                .then().extract().path("status")));
        given().auth().oauth2(admin).get("/api/rollouts/" + id).then().statusCode(200).body("created_by", equalTo(operatorName))
                .body("ref", equalTo("v5.0")).body("strategy", equalTo("rolling"))
                .body("waves", equalTo(List.of(servers.subList(0, 2), servers.subList(2, 3))));

        // a quoted label selector, all at once
        String byLabel = command(operator, "rollout \"role in (" + role + ")\" REF=v5.1 strategy=all_at_once", path);
        assertThat(byLabel).contains("of 3 servers in 1 wave (v5.1) started");
        long second = Long.parseLong(byLabel.replaceAll("(?s).*Rollout #(\\d+).*", "$1"));
        given().auth().oauth2(admin).get("/api/rollouts/" + second).then().statusCode(200)
                .body("target.selector", equalTo("role in (" + role + ")"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(admin).get("/api/rollouts/" + second)
                .then().extract().path("status")));
    }
}
