package io.triggerdeploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.triggerdeploy.support.TestDatabases;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rollout across two packaged jars sharing one database: its hosts run on both replicas' runners, and when the replica
 * running some of them is killed ({@code kill -9}), those hosts end INTERRUPTED within the lease, run once more
 * ({@code retry_interrupted}), and the other replica finishes the rollout; no host of a wave runs twice at once.
 */
class RolloutReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HOSTS = 8;
    private static String db;
    private static Path dir;
    private static TestSshServer sshd;
    private static JarProcess a;
    private static JarProcess b;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabases.create("td_it_rollout");
        dir = Files.createTempDirectory("rollout-replicas");
        KeyPair client = TestSshServer.ecKeyPair();
        Path key = TestSshServer.writePrivateKey(dir, "client_key", client);
        sshd = TestSshServer.start("deployer", client.getPublic());
        // four runners each: a wave of four hosts may run on either replica or on both
        Map<String, String> env = Map.of("TRIGGER_ADMIN_PASSWORD", "rollout-replicas-admin",
                "TRIGGER_SSH_PRIVATE_KEY_FILE", key.toString(), "TRIGGER_DEPLOY_LEASE", "6s", "TRIGGER_DEPLOY_POLL_INTERVAL", "1s",
                "TRIGGER_DEPLOY_RUNNERS", "4", "TRIGGER_DEPLOY_SHUTDOWN_GRACE", "3s");
        a = JarProcess.start("rollout-a", db, env);
        b = JarProcess.start("rollout-b", db, env);
        assertThat(a.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(a.output()).isTrue();
        assertThat(b.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(b.output()).isTrue();
        var login = a.post("/api/login", "{\"username\":\"admin\",\"password\":\"rollout-replicas-admin\"}", null);
        token = JSON.readTree(login.body()).get("token").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        for (JarProcess p : new JarProcess[]{a, b}) {
            if (p != null) {
                p.close();
            }
        }
        if (sshd != null) {
            sshd.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void theOtherReplicaFinishesARolloutWhoseReplicaWasKilledAndNoHostRunsTwiceAtOnce() throws Exception {
        // first attempt: wait (at most 60 s) for the file "go"; a second attempt finishes at once
        String script = "if [ -f ran ]; then echo again; exit 0; fi\ntouch ran\n"
                + "for i in $(seq 1 600); do [ -f go ] && break; sleep 0.1; done\necho done";
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            servers.add(server(script));
        }
        var g = a.post("/api/groups", JSON.writeValueAsString(Map.of("name", "fleet", "servers", servers)), token);
        assertThat(g.statusCode()).as(g.body()).isEqualTo(201);
        Map<String, Object> body = new HashMap<>(Map.of("target", Map.of("group", "fleet"), "strategy", "rolling", "batch", HOSTS / 2,
                "retry_interrupted", true, "ref", "v2"));
        var created = b.post("/api/rollouts", JSON.writeValueAsString(body), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = JSON.readTree(created.body()).get("id").asLong();

        // the first wave's four hosts run; kill the replica that runs one of them
        JsonNode wave = await(a, id, Duration.ofSeconds(30), r -> running(r) == HOSTS / 2);
        long someHost = wave.get("hosts").get(0).get("deployment_id").asLong();
        String replica = JSON.readTree(a.get("/api/deployments/" + someHost, token).body()).get("replica").asText();
        JarProcess victim = replica.contains("/" + a.pid() + "/") ? a : b;
        JarProcess survivor = victim == a ? b : a;
        victim.kill();

        // its hosts end INTERRUPTED within the lease and run again on the survivor; then everything may finish
        JsonNode retried = await(survivor, id, Duration.ofSeconds(40), r -> attempts(r) > HOSTS / 2);
        assertThat(retried.get("status").asText()).isEqualTo("RUNNING");
        for (String s : servers) {
            Files.writeString(dir.resolve(s).resolve("go"), "");
        }
        JsonNode done = await(survivor, id, Duration.ofSeconds(60), r -> !"RUNNING".equals(r.get("status").asText()));
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("failures").asInt()).isZero();

        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            // each host: one deployment, or an INTERRUPTED one and its retry; never two of one server at once
            try (ResultSet rs = st.executeQuery("SELECT server_alias, count(*) AS n, count(*) FILTER (WHERE status = 'SUCCEEDED') AS ok, "
                    + "count(*) FILTER (WHERE status = 'INTERRUPTED') AS lost FROM deployments WHERE rollout_id = " + id
                    + " GROUP BY server_alias")) {
                int hosts = 0;
                int interrupted = 0;
                while (rs.next()) {
                    hosts++;
                    assertThat(rs.getInt("ok")).as(rs.getString(1)).isEqualTo(1);
                    assertThat(rs.getInt("n")).as(rs.getString(1)).isEqualTo(1 + rs.getInt("lost"));
                    interrupted += rs.getInt("lost");
                }
                assertThat(hosts).isEqualTo(HOSTS);
                assertThat(interrupted).isPositive();
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM deployments x JOIN deployments y ON x.server_id = y.server_id "
                    + "AND x.id < y.id AND x.rollout_id = " + id + " AND y.rollout_id = " + id
                    + " AND tstzrange(x.started_at, x.finished_at) && tstzrange(y.started_at, y.finished_at)")) {
                rs.next();
                assertThat(rs.getLong(1)).as("two deployments of one server overlapping").isZero();
            }
            // the second wave started once, after the first had ended
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM rollout_events WHERE rollout_id = " + id + " AND kind = 'wave'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
        }
    }

    private static String server(String script) throws Exception {
        String alias = "r" + Long.toHexString(System.nanoTime());
        Path work = Files.createDirectories(dir.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        assertThat(work.resolve("deploy.sh").toFile().setExecutable(true)).isTrue();
        String body = JSON.writeValueAsString(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(),
                "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine()));
        var r = a.post("/api/servers", body, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return alias;
    }

    private static long running(JsonNode r) {
        long n = 0;
        for (JsonNode h : r.get("hosts")) {
            n += "RUNNING".equals(h.get("status").asText()) ? 1 : 0;
        }
        return n;
    }

    private static int attempts(JsonNode r) {
        int n = 0;
        for (JsonNode h : r.get("hosts")) {
            n += h.get("attempts").asInt();
        }
        return n;
    }

    private static JsonNode await(JarProcess via, long id, Duration timeout, java.util.function.Predicate<JsonNode> until)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode r = null;
        while (System.nanoTime() < deadline) {
            r = JSON.readTree(via.get("/api/rollouts/" + id, token).body());
            if (until.test(r)) {
                return r;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("rollout " + id + " did not get there in " + timeout + ": " + r);
    }
}
