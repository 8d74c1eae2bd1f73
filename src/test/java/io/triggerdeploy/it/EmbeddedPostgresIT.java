package io.triggerdeploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.triggerdeploy.db.EmbeddedPostgres;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar started with no database settings at all, as a new user starts it: it runs the embedded PostgreSQL
 * in TRIGGER_DATA_DIR (as an unprivileged user when the test runs as root, which is how CI runs), deploys, keeps its
 * data over a restart and over a kill -9, and refuses a second copy on the same data and a cluster of another major
 * version with one line each.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedPostgresIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "embedded-admin-pass";

    private static Path dir;
    private static Path data;
    private static TestSshServer sshd;
    private static Map<String, String> env;
    private static JarProcess service;

    @BeforeAll
    static void prepare() throws Exception {
        dir = Files.createTempDirectory("embedded-pg");
        // the unprivileged user the cluster runs as (when this runs as root) must get through to the data directory
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = dir.resolve("data");
        KeyPair client = TestSshServer.ecKeyPair();
        Path key = TestSshServer.writePrivateKey(dir, "client_key", client);
        sshd = TestSshServer.start("deployer", client.getPublic());
        env = new HashMap<>(Map.of("TRIGGER_DATA_DIR", data.toString(), "TRIGGER_ADMIN_PASSWORD", PASSWORD,
                "TRIGGER_SSH_PRIVATE_KEY_FILE", key.toString()));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (service != null) {
            service.close();
        }
        if (sshd != null) {
            sshd.close();
        }
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void theFirstStartMakesTheClusterAndDeploys() throws Exception {
        service = started("first");
        assertThat(service.output()).contains("Embedded PostgreSQL " + EmbeddedPostgres.VERSION + ": data in " + data)
                .contains("Secrets are enabled");
        assertThat(Files.readString(data.resolve("pgdata/PG_VERSION")).trim()).isEqualTo("17");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("postgres.password")))).isEqualTo("rw-------");
        if ("root".equals(System.getProperty("user.name"))) {
            assertThat(Files.getOwner(data.resolve("pgdata")).getName()).isEqualTo("nobody");
        }
        String token = login(service, PASSWORD);
        Path work = Files.createDirectories(dir.resolve("app"));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho deployed from the embedded database\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        var created = service.post("/api/servers", JSON.writeValueAsString(Map.of("name", "web-1", "alias", "web-1", "host", "127.0.0.1",
                "port", sshd.port(), "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine())), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var queued = service.post("/api/deployments", "{\"server\":\"web-1\"}", token);
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        JsonNode done = awaitEnded(service, token, JSON.readTree(queued.body()).get("id").asLong());
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(2)
    void aSecondCopyOnTheSameDataRefusesWithOneLine() throws Exception {
        try (JarProcess second = JarProcess.startWithoutDatabase("embedded-second", env)) {
            Integer code = second.awaitExit(Duration.ofSeconds(60));
            assertThat(code).as(second.output()).isNotNull().isNotZero();
            assertThat(second.output()).contains("cannot start the embedded PostgreSQL: the data directory " + data
                    + " is in use by another trigger-deploy (pid " + service.pid() + ")").doesNotContain("\tat ");
        }
        assertThat(service.status("/q/health/ready")).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aRestartKeepsTheAdminAndTheHistory() throws Exception {
        assertThat(service.terminate(Duration.ofSeconds(60))).as(service.output()).isNotNull();
        // a clean stop: the postmaster ended too (it removes its pid file last)
        assertThat(data.resolve("pgdata/postmaster.pid")).doesNotExist();
        env.put("TRIGGER_ADMIN_PASSWORD", "another-password-not-used");
        service = started("second");
        String token = login(service, PASSWORD);
        JsonNode history = JSON.readTree(service.get("/api/deployments?server=web-1", token).body());
        assertThat(history.toString()).contains("SUCCEEDED");
    }

    @Test
    @Order(4)
    void aKillLeavesNothingThatStopsTheNextStart() throws Exception {
        service.kill();
        // the postmaster outlives the service it belonged to; the next start stops it and starts its own
        assertThat(data.resolve("pgdata/postmaster.pid")).exists();
        service = started("after-kill");
        String token = login(service, PASSWORD);
        assertThat(JSON.readTree(service.get("/api/deployments?server=web-1", token).body()).toString()).contains("SUCCEEDED");
    }

    @Test
    @Order(5)
    void aClusterOfAnotherMajorVersionIsRefusedAndLeftAlone() throws Exception {
        Path other = dir.resolve("old");
        Files.createDirectories(other.resolve("pgdata"));
        Files.writeString(other.resolve("pgdata/PG_VERSION"), "16\n");
        Map<String, String> oldEnv = new HashMap<>(env);
        oldEnv.put("TRIGGER_DATA_DIR", other.toString());
        try (JarProcess old = JarProcess.startWithoutDatabase("embedded-old", oldEnv)) {
            Integer code = old.awaitExit(Duration.ofSeconds(60));
            assertThat(code).as(old.output()).isNotNull().isNotZero();
            assertThat(old.output()).contains("was made by PostgreSQL 16; this trigger-deploy carries PostgreSQL " + EmbeddedPostgres.VERSION)
                    .doesNotContain("\tat ");
        }
        assertThat(Files.readString(other.resolve("pgdata/PG_VERSION"), StandardCharsets.UTF_8)).isEqualTo("16\n");
        try (Stream<Path> files = Files.list(other.resolve("pgdata"))) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    private static JarProcess started(String name) throws Exception {
        JarProcess p = JarProcess.startWithoutDatabase("embedded-" + name, env);
        assertThat(p.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(p.output()).isTrue();
        return p;
    }

    private static String login(JarProcess p, String password) throws Exception {
        var r = p.post("/api/login", "{\"username\":\"admin\",\"password\":\"" + password + "\"}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("token").asText();
    }

    private static JsonNode awaitEnded(JarProcess p, String token, long id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode d = null;
        while (System.nanoTime() < deadline) {
            d = JSON.readTree(p.get("/api/deployments/" + id, token).body());
            String status = d.get("status").asText();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return d;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("deployment " + id + " did not end: " + d);
    }
}
