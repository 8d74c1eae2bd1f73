package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.Deploys;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** What runs where: the release live on each server of a set, a newer attempt beside it, and whether they agree. */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class FleetTest extends DeployApiTest {

    private long deploy(String alias, String ref, String status) {
        long id = accepted(given().auth().oauth2(operator).contentType(ContentType.JSON)
                .body(Map.of("server", alias, "parameters", Map.of("REF", ref))).post("/api/deployments"));
        awaitStatus(id, status);
        return id;
    }

    private JsonPath fleet(String token, String query) {
        return given().auth().oauth2(token).get("/api/fleet?" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aFailedAttemptDoesNotHideTheReleaseThatRunsAndTheSetSaysWhetherItConverged() throws Exception {
        String env = environment(Map.of());
        // the third server refuses v2
        String a = server(env, "echo \"deploying $REF\"");
        String b = server(env, "echo \"deploying $REF\"");
        String c = server(env, "echo \"deploying $REF\"; [ \"$REF\" != v2 ]");
        String never = server(env, "echo never");
        for (String s : List.of(a, b, c)) {
            long id = given().auth().oauth2(admin).get("/api/servers/" + s).then().statusCode(200).extract().<Number>path("id").longValue();
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("labels", Map.of("role", "web")))
                    .patch("/api/servers/" + id).then().statusCode(200);
        }
        String group = unique("fleet");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", group, "servers", List.of(c, b, a)))
                .post("/api/groups").then().statusCode(201);

        for (String s : List.of(a, b, c)) {
            deploy(s, "v1", "SUCCEEDED");
        }
        JsonPath one = fleet(viewer, "group=" + group);
        assertThat(one.getBoolean("converged")).isTrue();
        assertThat(one.getString("summary")).isEqualTo("converged on v1");
        assertThat(one.getList("servers.server", String.class)).containsExactly(c, b, a); // the group's order

        long v2a = deploy(a, "v2", "SUCCEEDED");
        deploy(b, "v2", "SUCCEEDED");
        long failed = deploy(c, "v2", "FAILED");
        JsonPath mixed = fleet(viewer, "group=" + group);
        assertThat(mixed.getBoolean("converged")).isFalse();
        assertThat(mixed.getString("summary")).isEqualTo("mixed: 2 × v2, 1 × v1");
        // the failed v2 on c does not hide that v1 still runs there
        Map<String, Object> onC = mixed.getMap("servers.find { it.server == '" + c + "' }");
        assertThat(onC).containsEntry("ref", "v1").containsEntry("latest", Map.of("deployment_id", (int) failed, "status", "FAILED",
                "ref", "v2"));
        Map<String, Object> onA = mixed.getMap("servers.find { it.server == '" + a + "' }");
        assertThat(onA).containsEntry("ref", "v2").containsEntry("deployment_id", (int) v2a).doesNotContainKey("latest");

        // an environment and a selector narrow it; a server where nothing succeeded is counted apart
        JsonPath byEnv = fleet(viewer, "environment=" + env);
        assertThat(byEnv.getList("servers.server", String.class)).containsExactlyInAnyOrder(a, b, c, never);
        assertThat(byEnv.getInt("not_deployed")).isEqualTo(1);
        assertThat(byEnv.getString("summary")).isEqualTo("mixed: 2 × v2, 1 × v1, 1 not deployed");
        JsonPath narrowed = fleet(viewer, "environment=" + env + "&selector=role=web");
        assertThat(narrowed.getList("servers.server", String.class)).containsExactlyInAnyOrder(a, b, c);
        assertThat(narrowed.getList("versions")).isEqualTo(List.of(Map.of("ref", "v2", "servers", 2), Map.of("ref", "v1", "servers", 1)));

        // the dashboard's card of c: v1 runs, the failed v2 is its last attempt
        String board = given().auth().oauth2(viewer).get("/partials/dashboard").then().statusCode(200).extract().asString();
        assertThat(board).containsPattern("data-live=\"" + c + "\">Running <a [^>]*>v1</a>")
                .containsPattern("data-live=\"" + a + "\">Running <a [^>]*>v2</a>").contains("Last attempt");

        // the servers page says the same
        given().auth().oauth2(admin).get("/servers").then().statusCode(200)
                .body(containsString("mixed: 2 × v2, 1 × v1")).body(containsString("last attempt:"));
    }

    @Test
    void aSetIsRequiredAndHiddenServersAreCountedNeverNamed() throws Exception {
        given().auth().oauth2(viewer).get("/api/fleet").then().statusCode(400).body("violations[0].field", equalTo("group"));
        given().auth().oauth2(viewer).get("/api/fleet?selector=role=").then().statusCode(400)
                .body("violations[0].field", equalTo("selector"));
        given().auth().oauth2(viewer).get("/api/fleet?group=" + unique("none")).then().statusCode(404);
        given().get("/api/fleet?group=x").then().statusCode(401);

        String env = environment(Map.of());
        String open = server(env, "echo ok");
        String restricted = server(env, "echo ok");
        String someone = unique("someone");
        createUser(admin, someone, "someone-pass-1", "operator");
        long restrictedId = given().auth().oauth2(admin).get("/api/servers/" + restricted).then().extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("server", String.valueOf(restrictedId), "user", someone, "permission", "deploy"))
                .post("/api/grants").then().statusCode(201);
        JsonPath seen = fleet(viewer, "environment=" + env);
        assertThat(seen.getList("servers.server", String.class)).containsExactly(open);
        assertThat(seen.getInt("hidden_servers")).isEqualTo(1);
        assertThat(seen.prettify()).doesNotContain(restricted);
        assertThat(seen.getString("summary")).isEqualTo("nothing deployed yet");
    }
}
