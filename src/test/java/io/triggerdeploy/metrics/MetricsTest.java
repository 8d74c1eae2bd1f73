package io.triggerdeploy.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** /q/metrics serves Prometheus text with our meters next to the standard ones, and no secrets. */
@QuarkusTest
class MetricsTest extends ApiTest {

    @Test
    void failedLoginsAndTheQueueAreMeasured() {
        String user = unique("m");
        given().contentType(ContentType.JSON).body(Map.of("username", user, "password", "a-wrong-password"))
                .post("/api/login").then().statusCode(401);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("trigger_login_failures_total{reason=\"invalid_credentials\"}")
                .contains("# TYPE trigger_deployments_running gauge").contains("# TYPE trigger_deployments_queued gauge")
                .contains("jvm_threads_live_threads")
                .doesNotContain("a-wrong-password").doesNotContain(user);
    }
}
