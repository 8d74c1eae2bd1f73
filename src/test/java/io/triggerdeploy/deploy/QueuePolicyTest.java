package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.support.Deploys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/** Queue policies per server: queue (positions), reject (409, also under concurrent triggers) and replace (SUPERSEDED). */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class QueuePolicyTest extends DeployApiTest {

    String server(String policy, String script) throws IOException {
        String alias = unique("q" + policy);
        Path work = Files.createDirectories(DeploymentTest.DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        Map<String, Object> body = new HashMap<>(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(),
                "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine(), "queue_policy", policy));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers").then().statusCode(201)
                .body("queue_policy", org.hamcrest.Matchers.equalTo(policy));
        return alias;
    }

    Response trigger(String alias, String ref) {
        return given().auth().oauth2(operator).contentType(ContentType.JSON)
                .body(Map.of("server", alias, "parameters", Map.of("REF", ref))).post("/api/deployments");
    }

    JsonPath get(long id) {
        return given().auth().oauth2(viewer).get("/api/deployments/" + id).then().statusCode(200).extract().jsonPath();
    }

    void awaitStatus(long id, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> status.equals(get(id).getString("status")));
    }

    @Test
    void queuedDeploymentsShowTheirPlaceInLine() throws Exception {
        String alias = server("queue", "sleep 1; echo \"$REF\" >> runs");
        long first = trigger(alias, "a").then().statusCode(202).extract().<Number>path("id").longValue();
        awaitStatus(first, "RUNNING");
        long second = trigger(alias, "b").then().statusCode(202).extract().<Number>path("id").longValue();
        long third = trigger(alias, "c").then().statusCode(202).extract().<Number>path("id").longValue();
        assertThat(get(first).getString("position")).isNull();
        assertThat(get(second).getInt("position")).isEqualTo(1);
        assertThat(get(third).getInt("position")).isEqualTo(2);
        JsonPath page = given().auth().oauth2(viewer).get("/api/deployments?server=" + alias).then().statusCode(200).extract().jsonPath();
        assertThat(page.getList("items.position")).containsExactly(2, 1, null);
        awaitStatus(second, "RUNNING");
        assertThat(get(third).getInt("position")).isEqualTo(1);
        awaitStatus(third, "SUCCEEDED");
        assertThat(Files.readAllLines(DeploymentTest.DIR.resolve(alias).resolve("runs"))).containsExactly("a", "b", "c");
    }

    @Test
    void rejectRefusesWhileOneIsQueuedOrRunningEvenUnderConcurrentTriggers() throws Exception {
        String alias = server("reject", "sleep 1.5; echo \"$REF\" >> runs");
        long running = trigger(alias, "a").then().statusCode(202).extract().<Number>path("id").longValue();
        long before = queryLong("SELECT count(*) FROM deployments");
        trigger(alias, "b").then().statusCode(409).contentType(containsString("application/problem+json"))
                .body("detail", containsString("#" + running)).body("detail", containsString("queue policy is reject"));
        assertThat(queryLong("SELECT count(*) FROM deployments")).isEqualTo(before);
        awaitStatus(running, "SUCCEEDED");

        // eight triggers at once on an idle server: exactly one is accepted
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String ref = "c" + i;
                codes.add(pool.submit((Callable<Integer>) () -> trigger(alias, ref).statusCode()));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : codes) {
                got.add(f.get());
            }
            assertThat(got).containsOnly(202, 409);
            assertThat(got.stream().filter(c -> c == 202)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void replaceSupersedesTheQueuedOnesAndTheNewestRuns() throws Exception {
        String alias = server("replace", "sleep 1; echo \"$REF\" >> runs");
        long running = trigger(alias, "a").then().statusCode(202).extract().<Number>path("id").longValue();
        awaitStatus(running, "RUNNING");
        long b = trigger(alias, "b").then().statusCode(202).extract().<Number>path("id").longValue();
        long c = trigger(alias, "c").then().statusCode(202).extract().<Number>path("id").longValue();
        assertThat(get(b).getString("status")).isEqualTo("SUPERSEDED");
        assertThat(get(b).getString("error")).isEqualTo("Superseded by #" + c);
        // a stream of the superseded one ends with its final status
        var events = DeploymentTest.readEvents(b, viewer, null);
        assertThat(events).last().satisfies(e -> assertThat(e.data()).contains("\"status\":\"SUPERSEDED\""));
        long d = trigger(alias, "d").then().statusCode(202).extract().<Number>path("id").longValue();
        assertThat(get(c).getString("status")).isEqualTo("SUPERSEDED");
        assertThat(get(running).getString("status")).isIn("RUNNING", "SUCCEEDED"); // a running one is never replaced
        awaitStatus(d, "SUCCEEDED");
        assertThat(Files.readAllLines(DeploymentTest.DIR.resolve(alias).resolve("runs"))).containsExactly("a", "d");
        given().auth().oauth2(admin).get("/api/audit?action=deployment.triggered").then().statusCode(200)
                .body(containsString("superseded #" + c));
        given().auth().oauth2(viewer).get("/api/deployments?status=superseded&server=" + alias).then().statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.equalTo(2));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("queue_policy", "sometimes"))
                .patch("/api/servers/" + get(d).getLong("server_id")).then().statusCode(400);
    }
}
