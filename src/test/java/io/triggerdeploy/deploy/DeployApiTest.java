package io.triggerdeploy.deploy;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * What the deployment tests share: the in-process SSH server their servers deploy to (the client key of
 * {@link Deploys.Profile}) and a fresh admin, operator and viewer for each test.
 */
abstract class DeployApiTest extends ApiTest {

    static TestSshServer sshd;
    String admin;
    String operator;
    String viewer;

    @BeforeAll
    static void startSshd() throws IOException {
        sshd = TestSshServer.start("deployer", DeploymentTest.CLIENT.getPublic());
    }

    @AfterAll
    static void stopSshd() throws IOException {
        sshd.close();
    }

    @BeforeEach
    void roleTokensForTheTest() {
        RoleTokens t = roleTokens();
        admin = t.admin();
        operator = t.operator();
        viewer = t.viewer();
    }

    String environment(Map<String, Object> policy) {
        String name = unique("env-");
        Map<String, Object> body = new HashMap<>(policy);
        body.put("name", name);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/environments").then().log().ifValidationFails().statusCode(201)
                .body("name", equalTo(name));
        return name;
    }

    String server(String environment, String script) throws IOException {
        String alias = unique("e");
        Path work = Files.createDirectories(DeploymentTest.DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        Map<String, Object> body = new HashMap<>(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(),
                "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine()));
        if (environment != null) {
            body.put("environment", environment);
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers").then().statusCode(201);
        return alias;
    }

    Response trigger(String token, String alias, String breakGlass) {
        Map<String, Object> body = new HashMap<>(Map.of("server", alias));
        if (breakGlass != null) {
            body.put("break_glass", breakGlass);
        }
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/deployments");
    }

    long accepted(Response r) {
        return r.then().log().ifValidationFails().statusCode(202).extract().<Number>path("id").longValue();
    }

    JsonPath get(long id) {
        return given().auth().oauth2(admin).get("/api/deployments/" + id).then().statusCode(200).extract().jsonPath();
    }

    void awaitStatus(long id, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> status.equals(get(id).getString("status")));
    }

    Response decide(String token, long id, String what, String comment) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(comment == null ? Map.of() : Map.of("comment", comment))
                .post("/api/deployments/" + id + "/" + what);
    }

    List<Long> waitingFor(String token) {
        return given().auth().oauth2(token).get("/api/approvals").then().statusCode(200).extract().jsonPath()
                .getList("id", Long.class);
    }
}
