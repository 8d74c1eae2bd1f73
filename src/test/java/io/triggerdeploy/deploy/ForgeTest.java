package io.triggerdeploy.deploy;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.Deploys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Deployments write their status back to the forge: a loopback stand-in for GitHub's and GitLab's REST APIs records
 * every call (method, path, token, body) and answers as they do; one failing answer is retried.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class ForgeTest extends DeployApiTest {

    private static final String SHA = "8f3b2c1d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
    private static HttpServer forge;
    private static final List<String[]> CALLS = new CopyOnWriteArrayList<>();
    /** How many of the next calls answer 502 (a forge having a bad moment). */
    private static final AtomicInteger FAIL_NEXT = new AtomicInteger();

    @BeforeAll
    static void forge() throws IOException {
        forge = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        forge.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String token = exchange.getRequestHeaders().getFirst("Authorization");
            if (token == null) {
                token = exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN");
            }
            String path = exchange.getRequestURI().getRawPath();
            CALLS.add(new String[]{exchange.getRequestMethod(), path, token, body});
            if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(502, -1);
                exchange.close();
                return;
            }
            byte[] answer = (path.endsWith("/deployments") ? "{\"id\": 4242}" : "{}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        forge.start();
    }

    @AfterAll
    static void stop() {
        forge.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + forge.getAddress().getPort();
    }

    private List<String[]> callsFor(String repositoryPart) {
        return CALLS.stream().filter(c -> c[1].contains(repositoryPart)).toList();
    }

    private long deploy(String server, String ref) {
        long id = given().auth().oauth2(operator).contentType(ContentType.JSON).body(Map.of("server", server, "parameters", Map.of("REF", ref)))
                .post("/api/deployments").then().statusCode(202).extract().<Number>path("id").longValue();
        return id;
    }

    @Test
    void aGithubLinkedEnvironmentGetsADeploymentWithItsStatusesAndTheCommitStatus() throws IOException {
        String env = environment(Map.of());
        String ok = server(env, "echo deployed");
        String repo = "acme/" + unique("shop");
        JsonPath link = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "github", "api_url", base(),
                        "repository", repo, "token", "ghp-forge-secret-1", "environment", env, "environment_url", "https://shop.example.test"))
                .post("/api/forge-links").then().log().ifValidationFails().statusCode(201).body("environment", equalTo(env))
                .extract().jsonPath();
        assertThat(link.getMap("$")).doesNotContainKey("token");
        assertThat(given().auth().oauth2(admin).get("/api/forge-links").asString()).doesNotContain("ghp-forge-secret-1");

        long id = deploy(ok, SHA);
        awaitStatus(id, "SUCCEEDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> callsFor(repo).size() >= 5);
        List<String[]> calls = callsFor(repo);
        assertThat(calls).allSatisfy(c -> assertThat(c[2]).isEqualTo("Bearer ghp-forge-secret-1"));
        assertThat(calls.stream().map(c -> c[0] + " " + c[1]).toList()).containsExactly(
                "POST /repos/" + repo + "/deployments",
                "POST /repos/" + repo + "/deployments/4242/statuses",
                "POST /repos/" + repo + "/statuses/" + SHA,
                "POST /repos/" + repo + "/deployments/4242/statuses",
                "POST /repos/" + repo + "/statuses/" + SHA);
        JsonPath created = new JsonPath(calls.get(0)[3]);
        assertThat(created.getString("ref")).isEqualTo(SHA);
        assertThat(created.getString("environment")).isEqualTo(env);
        assertThat(new JsonPath(calls.get(1)[3]).getString("state")).isEqualTo("in_progress");
        assertThat(new JsonPath(calls.get(2)[3]).getString("state")).isEqualTo("pending");
        assertThat(new JsonPath(calls.get(2)[3]).getString("context")).isEqualTo("trigger-deploy/" + ok);
        JsonPath done = new JsonPath(calls.get(3)[3]);
        assertThat(done.getString("state")).isEqualTo("success");
        assertThat(done.getString("log_url")).isEqualTo("https://deploy.example.test/deployments/" + id);
        assertThat(done.getString("environment_url")).isEqualTo("https://shop.example.test");
        assertThat(new JsonPath(calls.get(4)[3]).getString("state")).isEqualTo("success");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ok".equals(given().auth().oauth2(admin).get("/api/forge-links").then()
                .extract().jsonPath().getString("find { it.repository == '" + repo + "' }.last_result")));

        // a failed deployment reads failure; a tag (not a SHA) gets the Deployment only; a 502 is retried
        String failing = server(env, "exit 3");
        FAIL_NEXT.set(1);
        long bad = deploy(failing, "v1.4.2");
        awaitStatus(bad, "FAILED");
        await().atMost(Duration.ofSeconds(30)).until(() -> callsFor(repo).stream().anyMatch(c -> c[3].contains("\"failure\"")));
        List<String[]> later = callsFor(repo).subList(5, callsFor(repo).size());
        assertThat(later).noneMatch(c -> c[1].contains("/statuses/v1.4.2"));
        assertThat(later.stream().filter(c -> c[1].endsWith("/deployments")).count()).as("the first POST failed once and was retried").isEqualTo(2);
    }

    @Test
    void aGitlabLinkedServerGetsACommitStatusAndAnEnvironmentDeploymentAndBadLinksAreRefused() throws IOException {
        String alias = server(null, "echo deployed");
        String project = "group/" + unique("app");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "gitlab", "api_url", base() + "/api/v4",
                "repository", project, "token", "glpat-forge-secret", "server", alias)).post("/api/forge-links").then().statusCode(201)
                .body("server", equalTo(alias));
        long id = deploy(alias, SHA);
        awaitStatus(id, "SUCCEEDED");
        String encoded = project.replace("/", "%2F");
        await().atMost(Duration.ofSeconds(20)).until(() -> callsFor(encoded).size() >= 4);
        List<String[]> calls = callsFor(encoded);
        assertThat(calls).allSatisfy(c -> assertThat(c[2]).isEqualTo("glpat-forge-secret"));
        assertThat(calls.stream().map(c -> c[0] + " " + c[1] + " " + new JsonPath(c[3]).getString("state") + "/"
                + new JsonPath(c[3]).getString("status")).toList()).containsExactly(
                "POST /api/v4/projects/" + encoded + "/statuses/" + SHA + " running/null",
                "POST /api/v4/projects/" + encoded + "/deployments null/running",
                "POST /api/v4/projects/" + encoded + "/statuses/" + SHA + " success/null",
                "PUT /api/v4/projects/" + encoded + "/deployments/4242 null/success");

        // bad input: both scopes, neither, an unknown server, a URL with credentials: 400 naming the field, nothing stored
        int before = given().auth().oauth2(admin).get("/api/forge-links").then().extract().jsonPath().getList("id").size();
        Map<String, Object> bad = new java.util.HashMap<>(Map.of("kind", "gitlab", "api_url", base(), "repository", project, "token", "t",
                "server", alias, "environment", "prod"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad).post("/api/forge-links").then().statusCode(400)
                .body("detail", containsString("environment"));
        bad.remove("environment");
        bad.put("server", "no-such-server");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad).post("/api/forge-links").then().statusCode(400)
                .body("detail", containsString("server"));
        bad.put("server", alias);
        bad.put("api_url", "http://user:pw@127.0.0.1:1/");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad).post("/api/forge-links").then().statusCode(400)
                .body("detail", containsString("api_url"));
        bad.put("api_url", base());
        bad.put("kind", "bitbucket");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad).post("/api/forge-links").then().statusCode(400)
                .body("detail", containsString("kind"));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(bad).post("/api/forge-links").then().statusCode(403);
        assertThat(given().auth().oauth2(admin).get("/api/forge-links").then().extract().jsonPath().getList("id")).hasSize(before);

        // a forge outside the notifications' address policy: nothing sent, the deployment unaffected, the link says why
        String other = server(null, "echo deployed");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "github", "api_url",
                "http://[::1]:" + forge.getAddress().getPort(), "repository", "acme/refused", "token", "t", "server", other))
                .post("/api/forge-links").then().statusCode(201);
        long refused = deploy(other, SHA);
        awaitStatus(refused, "SUCCEEDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(given().auth().oauth2(admin).get("/api/forge-links").then()
                .extract().jsonPath().getString("find { it.repository == 'acme/refused' }.last_result")).contains("allow-networks"));
        assertThat(callsFor("acme/refused")).isEmpty();

        // a link removed writes nothing more
        long linkId = given().auth().oauth2(admin).get("/api/forge-links").then().extract().jsonPath()
                .getLong("find { it.repository == '" + project + "' }.id");
        given().auth().oauth2(admin).delete("/api/forge-links/" + linkId).then().statusCode(204);
        given().auth().oauth2(admin).delete("/api/forge-links/" + linkId).then().statusCode(404);
        // (another link of the same server, added now, shows when this deployment's writes have been made)
        String next = "group/" + unique("next");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "gitlab", "api_url", base() + "/api/v4",
                "repository", next, "token", "glpat-forge-secret", "server", alias)).post("/api/forge-links").then().statusCode(201);
        int before2 = callsFor(encoded).size();
        awaitStatus(deploy(alias, SHA), "SUCCEEDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> callsFor(next.replace("/", "%2F")).size() >= 4);
        assertThat(callsFor(encoded)).hasSize(before2);
    }
}
