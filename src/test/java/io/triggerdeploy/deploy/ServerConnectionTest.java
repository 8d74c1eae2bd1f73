package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SSH client key in the UI (its authorized_keys line, never its private part) and Test connection: every step a
 * deployment takes before its script, named, with the one that failed and what to do, and the server's reachability
 * updated at once.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class ServerConnectionTest extends DeployApiTest {

    private JsonPath test(String alias) {
        long id = given().auth().oauth2(viewer).get("/api/servers/" + alias).then().statusCode(200).extract().<Number>path("id").longValue();
        return given().auth().oauth2(admin).post("/api/servers/" + id + "/test-connection").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void theClientKeyIsShownToInstallAndTestConnectionNamesEachStep() throws Exception {
        String line = HostKeys.of(Deploys.CLIENT.getPublic()).line();
        JsonPath keys = given().auth().oauth2(admin).get("/api/ssh/client-keys").then().statusCode(200).extract().jsonPath();
        assertThat(keys.getString("[0].line")).isEqualTo(line + " trigger-deploy");
        assertThat(keys.getString("[0].fingerprint")).isEqualTo(HostKeys.of(Deploys.CLIENT.getPublic()).fingerprint());
        assertThat(keys.prettify()).doesNotContain("PRIVATE");
        given().auth().oauth2(operator).get("/api/ssh/client-keys").then().statusCode(403);
        String page = given().auth().oauth2(admin).get("/servers").then().statusCode(200).extract().asString();
        assertThat(page).contains(line + " trigger-deploy").contains("authorized_keys").contains("Test connection");

        // a server a deployment can reach: every step passes, and the badge says so at once
        String good = server(null, "echo ok");
        JsonPath ok = test(good);
        assertThat(ok.getBoolean("ok")).isTrue();
        assertThat(ok.getList("steps.step", String.class)).containsExactly("connect", "host_key", "login", "command");
        assertThat(ok.getString("failed_step")).isNull();
        given().auth().oauth2(viewer).get("/api/servers/" + good).then().statusCode(200)
                .body("reachability", org.hamcrest.Matchers.equalTo("REACHABLE"));

        // the key the host presents is not the pinned one: it stops there and says what to do
        String changed = server(null, "echo ok");
        long changedId = given().auth().oauth2(viewer).get("/api/servers/" + changed).then().extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("host_key", HostKeys.of(TestSshServer.ecKeyPair().getPublic()).line()))
                .put("/api/servers/" + changedId + "/host-key").then().log().ifValidationFails().statusCode(200);
        JsonPath mismatch = test(changed);
        assertThat(mismatch.getBoolean("ok")).isFalse();
        assertThat(mismatch.getString("failed_step")).isEqualTo("host_key");
        assertThat(mismatch.getList("steps.ok", Boolean.class)).containsExactly(true, false);
        assertThat(mismatch.getString("steps[1].detail")).contains("pinned").contains("scan and confirm");
        given().auth().oauth2(viewer).get("/api/servers/" + changed).then().statusCode(200)
                .body("reachability", org.hamcrest.Matchers.equalTo("HOST_KEY_MISMATCH"));

        // the login is refused: this user does not accept the client key
        String stranger = server(null, "echo ok");
        long strangerId = given().auth().oauth2(viewer).get("/api/servers/" + stranger).then().extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("user", "someone-else"))
                .patch("/api/servers/" + strangerId).then().statusCode(200);
        JsonPath login = test(stranger);
        assertThat(login.getString("failed_step")).isEqualTo("login");
        assertThat(login.getString("steps[2].detail")).contains("authorized_keys");
        given().auth().oauth2(viewer).get("/api/servers/" + stranger).then().statusCode(200)
                .body("reachability", org.hamcrest.Matchers.equalTo("LOGIN_FAILED"));

        // only admins test, and an unknown server is 404
        given().auth().oauth2(operator).post("/api/servers/" + changedId + "/test-connection").then().statusCode(403);
        given().auth().oauth2(admin).post("/api/servers/999999999/test-connection").then().statusCode(404);
    }
}
