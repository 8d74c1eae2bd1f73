package io.triggerdeploy.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.triggerdeploy.auth.KeysProfile;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.TestLogs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** /q/metrics serves Prometheus text with our meters next to the standard ones, and no secrets; a token guards it. */
@QuarkusTest
@TestProfile(KeysProfile.class) // the metrics behind a scrape token
class MetricsTest extends ApiTest {

    static final String TOKEN = KeysProfile.METRICS_TOKEN;

    @Test
    void theScrapeTokenIsRequired() {
        given().get("/q/metrics").then().statusCode(401).header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        given().header("Authorization", "Bearer not-the-token").get("/q/metrics").then().statusCode(401);
        given().auth().oauth2(adminToken()).get("/q/metrics").then().statusCode(401); // a login token is not the scrape token
        given().header("Authorization", "Bearer " + TOKEN).get("/q/metrics").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200); // only the metrics are guarded
    }

    @Test
    void failedLoginsAndTheQueueAreMeasured() {
        String user = unique("m");
        given().contentType(ContentType.JSON).body(Map.of("username", user, "password", "a-wrong-password"))
                .post("/api/login").then().statusCode(401);
        String metrics = given().header("Authorization", "Bearer " + TOKEN).get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("trigger_login_failures_total{reason=\"invalid_credentials\"}")
                .contains("# TYPE trigger_deployments_running gauge").contains("# TYPE trigger_deployments_queued gauge")
                .contains("jvm_threads_live_threads")
                .doesNotContain("a-wrong-password").doesNotContain(user);
    }

    @Test
    void everySeriesFollowsPrometheusNaming() {
        // some database traffic first, so that the client metrics exist
        given().contentType(ContentType.JSON).body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD)).post("/api/login")
                .then().statusCode(200);
        String text = given().header("Authorization", "Bearer " + TOKEN).accept("text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.Map<String, String> help = new java.util.HashMap<>();
        java.util.Set<String> typed = new java.util.HashSet<>();
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.regex.Pattern label = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"");
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                help.put(p[0], p.length > 1 ? p[1].trim() : "");
                if (p.length > 1 && p[1].contains("\\\"")) {
                    problems.add("escaped quote in help of " + p[0]);
                }
            } else if (line.startsWith("# TYPE ")) {
                typed.add(line.substring(7).split(" ")[0]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                String name = line.split("[{ ]", 2)[0];
                if (name.startsWith("m__") || name.matches(".*_(ns|ms|us)(_total)?$")) {
                    problems.add("odd name " + name);
                }
                java.util.regex.Matcher m = label.matcher(line.contains("{") ? line.substring(line.indexOf('{')) : "");
                while (m.find()) {
                    if (!m.group(1).equals(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                        problems.add("camelCase label " + m.group(1) + " on " + name);
                    }
                }
            }
        }
        for (String name : typed) {
            if (help.getOrDefault(name, "").isBlank()) {
                problems.add("no help text for " + name);
            }
        }
        assertThat(typed).as("series").hasSizeGreaterThan(40).contains("process_cpu_seconds_total", "postgresql_current");
        assertThat(problems).isEmpty();
        assertThat(text).contains("client_name=\"listen\"");
        // the duplicate-gauge warning of the client metrics is not logged at start
        assertThat(TestLogs.read(TestLogs.APP)).doesNotContain("already registered");
    }
}
