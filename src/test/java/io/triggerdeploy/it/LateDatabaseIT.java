package io.triggerdeploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.triggerdeploy.support.TcpForwarder;
import io.triggerdeploy.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The database is unreachable at start and appears later; break-glass works only while it is away. */
class LateDatabaseIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private String db;
    private JarProcess app;
    private TcpForwarder forwarder;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (app != null) {
            app.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void startsWithoutDatabaseServesBreakGlassThenBecomesReadyWhenItAppears() throws Exception {
        db = TestDatabases.create("td_it_late");
        int dbPort = JarProcess.freePort();
        forwarder = new TcpForwarder(dbPort, TestDatabases.host(), TestDatabases.port());
        Path fallback = Files.createTempFile("break-glass", ".txt");
        Files.writeString(fallback, "# emergency access\nrescue:" + BcryptUtil.bcryptHash("rescue-pass-1", 8) + ":admin\n");

        long t0 = System.nanoTime();
        app = JarProcess.start("late", db, Map.of(
                "POSTGRES_HOST", "127.0.0.1",
                "POSTGRES_PORT", String.valueOf(dbPort),
                "TRIGGER_ADMIN_PASSWORD", "late-admin-pass",
                "TRIGGER_AUTH_FALLBACK_FILE", fallback.toString()));

        assertThat(app.awaitStatus("/q/health/live", 200, Duration.ofSeconds(60))).as(app.output()).isTrue();
        assertThat(app.status("/q/health/ready")).isEqualTo(503);
        // the old tool's /health, for monitors: unhealthy with the reason, and never the password
        var oldHealth = app.get("/health", null);
        assertThat(oldHealth.statusCode()).isEqualTo(503);
        JsonNode unhealthy = JSON.readTree(oldHealth.body());
        assertThat(unhealthy.get("status").asText()).isEqualTo("unhealthy");
        assertThat(unhealthy.get("reason").asText()).contains("database");
        assertThat(oldHealth.body()).doesNotContain("late-admin-pass");

        var dbUser = app.post("/api/login", "{\"username\":\"admin\",\"password\":\"late-admin-pass\"}", null);
        assertThat(dbUser.statusCode()).as(dbUser.body()).isEqualTo(503);
        assertThat(dbUser.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");

        var wrong = app.post("/api/login", "{\"username\":\"rescue\",\"password\":\"nope-nope\"}", null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        var rescue = app.post("/api/login", "{\"username\":\"rescue\",\"password\":\"rescue-pass-1\"}", null);
        assertThat(rescue.statusCode()).as(rescue.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(rescue.body());
        assertThat(body.at("/user/break_glass").asBoolean()).isTrue();
        String rescueToken = body.get("token").asText();
        var me = app.get("/api/me", rescueToken);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("auth_type").asText()).isEqualTo("break_glass");
        assertThat(app.output()).contains("Break-glass login by 'rescue'").doesNotContain("rescue-pass-1");

        // the database appears ten seconds after the start
        long waitMs = 10_000 - (System.nanoTime() - t0) / 1_000_000;
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
        assertThat(app.status("/q/health/ready")).isEqualTo(503);
        forwarder.open();
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(45))).as(app.output()).isTrue();
        assertThat(app.isAlive()).isTrue();
        assertThat(JSON.readTree(app.get("/health", null).body()).get("status").asText()).isEqualTo("healthy");

        var login = app.post("/api/login", "{\"username\":\"admin\",\"password\":\"late-admin-pass\"}", null);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        var rescueNow = app.post("/api/login", "{\"username\":\"rescue\",\"password\":\"rescue-pass-1\"}", null);
        assertThat(rescueNow.statusCode()).as("break-glass only while the database is unreachable").isEqualTo(401);

        // a browser session made while the database is there
        HttpClient browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> webLogin = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=late-admin-pass&next=%2F")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(webLogin.statusCode()).isEqualTo(303);
        String cookie = webLogin.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        assertThat(cookie).startsWith("td_session=");
        HttpRequest dashboard = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port + "/"))
                .header("Cookie", cookie).timeout(Duration.ofSeconds(20)).build();
        assertThat(browser.send(dashboard, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        // the database goes away at runtime: readiness drops, then returns with it
        forwarder.close();
        assertThat(app.awaitStatus("/q/health/ready", 503, Duration.ofSeconds(30))).isTrue();
        assertThat(app.status("/health")).isEqualTo(503);
        // meanwhile the pages say so plainly, in HTML, instead of failing blank or with a stack trace
        HttpResponse<String> downPage = browser.send(dashboard, HttpResponse.BodyHandlers.ofString());
        assertThat(downPage.statusCode()).isEqualTo(503);
        assertThat(downPage.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(downPage.body()).contains("Database unreachable").doesNotContain("Exception");
        forwarder.open();
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(30))).isTrue();
        assertThat(app.output()).doesNotContain(" ERROR ");
        // dozens of probes were answered DOWN meanwhile: none of them is a log line of its own
        assertThat(app.output()).doesNotContain("SRHCK01001");
    }

    @Test
    void givesUpWithOneClearLineWhenTheDatabaseNeverComes() throws Exception {
        app = JarProcess.start("never", "trigger_deploy", Map.of(
                "POSTGRES_HOST", "127.0.0.1",
                "POSTGRES_PORT", String.valueOf(JarProcess.freePort()),
                "TRIGGER_DB_STARTUP_TIMEOUT", "3s"));
        Integer exit = app.awaitExit(Duration.ofSeconds(60));
        assertThat(exit).as(app.output()).isNotNull().isNotZero();
        assertThat(app.output()).contains("PostgreSQL not reachable within trigger.db.startup-timeout (3 s)");
    }

    @Test
    void anInvalidSettingStopsTheProcessNamingTheKey() throws Exception {
        app = JarProcess.start("badcfg", "trigger_deploy", Map.of("TRIGGER_AUTH_BCRYPT_COST", "99"));
        Integer exit = app.awaitExit(Duration.ofSeconds(60));
        assertThat(exit).as(app.output()).isNotNull().isNotZero();
        assertThat(app.output()).contains("trigger.auth.bcrypt-cost");
    }
}
