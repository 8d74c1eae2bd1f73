package io.triggerdeploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.triggerdeploy.support.Oathtool;
import io.triggerdeploy.support.TestDatabases;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Two packaged jars share one database and one SSH server: the queue is safe across replicas. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static String db;
    private static Path dir;
    private static TestSshServer sshd;
    private static JarProcess a;
    private static JarProcess b;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabases.create("td_it_two");
        dir = Files.createTempDirectory("two-replicas");
        KeyPair client = TestSshServer.ecKeyPair();
        Path key = TestSshServer.writePrivateKey(dir, "client_key", client);
        sshd = TestSshServer.start("deployer", client.getPublic());
        Path secretsKey = dir.resolve("secrets.key");
        byte[] raw = new byte[32];
        new java.security.SecureRandom().nextBytes(raw);
        Files.writeString(secretsKey, java.util.Base64.getEncoder().encodeToString(raw));
        Map<String, String> env = Map.of("TRIGGER_ADMIN_PASSWORD", "two-replicas-admin",
                "TRIGGER_SSH_PRIVATE_KEY_FILE", key.toString(), "TRIGGER_SECRETS_KEY_FILE", secretsKey.toString(),
                "TRIGGER_DEPLOY_LEASE", "6s", "TRIGGER_DEPLOY_POLL_INTERVAL", "1s", "TRIGGER_DEPLOY_SHUTDOWN_GRACE", "3s",
                "TRIGGER_MONITOR_ALLOW_NETWORKS", "127.0.0.0/8", "TRIGGER_NOTIFY_ALLOW_NETWORKS", "127.0.0.0/8",
                "TRIGGER_MONITOR_TICK", "200ms");
        a = JarProcess.start("replica-a", db, env);
        b = JarProcess.start("replica-b", db, env);
        assertThat(a.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(a.output()).isTrue();
        assertThat(b.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(b.output()).isTrue();
        var login = a.post("/api/login", "{\"username\":\"admin\",\"password\":\"two-replicas-admin\"}", null);
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

    static String server(String script) throws Exception {
        String alias = "s" + Long.toHexString(System.nanoTime());
        Path work = Files.createDirectories(dir.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        String body = JSON.writeValueAsString(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", sshd.port(),
                "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine()));
        var r = (a.isAlive() ? a : b).post("/api/servers", body, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return alias;
    }

    static long trigger(JarProcess via, String alias) throws Exception {
        var r = via.post("/api/deployments", "{\"server\":\"" + alias + "\"}", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("id").asLong();
    }

    static JsonNode get(JarProcess via, long id) throws Exception {
        return JSON.readTree(via.get("/api/deployments/" + id, token).body());
    }

    static JsonNode awaitStatus(JarProcess via, long id, Duration timeout, String... wanted) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode d = null;
        while (System.nanoTime() < deadline) {
            d = get(via, id);
            for (String w : wanted) {
                if (w.equals(d.get("status").asText())) {
                    return d;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("deployment " + id + " did not reach " + String.join("/", wanted) + ": " + d);
    }

    /**
     * Each replica keeps each caller's permissions; a grant or membership changed through one replica takes effect on
     * the other at once (the database announces it), in both directions.
     */
    @Test
    @Order(1)
    void aPermissionChangedOnOneReplicaHoldsOnTheOtherAtOnce() throws Exception {
        String alias = "r" + Long.toHexString(System.nanoTime());
        var env = a.post("/api/servers", JSON.writeValueAsString(Map.of("name", alias, "alias", alias, "host", "127.0.0.1",
                "port", sshd.port(), "user", "deployer", "path", dir.toString(), "host_key", sshd.hostKeyLine(),
                "environment", "two-restricted")), token);
        assertThat(env.statusCode()).as(env.body()).isEqualTo(201);
        String user = "member" + Long.toHexString(System.nanoTime());
        assertThat(a.post("/api/users", "{\"username\":\"" + user + "\",\"password\":\"member-pass\",\"role\":\"operator\"}", token)
                .statusCode()).isEqualTo(201);
        String member = JSON.readTree(b.post("/api/login", "{\"username\":\"" + user + "\",\"password\":\"member-pass\"}", null)
                .body()).get("token").asText();
        // open: both replicas show the server (and keep that answer)
        assertThat(b.get("/api/servers/" + alias, member).statusCode()).isEqualTo(200);
        assertThat(a.get("/api/servers/" + alias, member).statusCode()).isEqualTo(200);
        var team = a.post("/api/teams", "{\"name\":\"two-team-" + user + "\"}", token);
        assertThat(team.statusCode()).as(team.body()).isEqualTo(201);
        long teamId = JSON.readTree(team.body()).get("id").asLong();
        var grant = a.post("/api/grants", "{\"environment\":\"two-restricted\",\"team\":\"" + teamId + "\",\"permission\":\"view\"}", token);
        assertThat(grant.statusCode()).as(env.body() + grant.body()).isEqualTo(201);
        // restricted through replica a: replica b hides it from a non-member without waiting for any expiry
        assertThat(awaitCode(b, "/api/servers/" + alias, member, 404)).isTrue();
        assertThat(a.put("/api/teams/" + teamId + "/members/" + user, "{}", token).statusCode()).isEqualTo(200);
        assertThat(awaitCode(b, "/api/servers/" + alias, member, 200)).isTrue();
        assertThat(b.delete("/api/teams/" + teamId + "/members/" + user, token).statusCode()).isEqualTo(200);
        assertThat(awaitCode(a, "/api/servers/" + alias, member, 404)).isTrue();
        assertThat(a.get("/api/servers/" + alias, member).statusCode()).isEqualTo(404);
    }

    /** A two-factor code accepted by one replica is refused by the other (the last used step is in the database). */
    @Test
    @Order(1)
    void aTwoFactorCodeUsedOnOneReplicaIsRefusedOnTheOther() throws Exception {
        String user = "otp" + Long.toHexString(System.nanoTime());
        assertThat(a.post("/api/users", "{\"username\":\"" + user + "\",\"password\":\"otp-user-pass\",\"role\":\"viewer\"}", token)
                .statusCode()).isEqualTo(201);
        String login = "{\"username\":\"" + user + "\",\"password\":\"otp-user-pass\"";
        String session = JSON.readTree(a.post("/api/login", login + "}", null).body()).get("token").asText();
        var enrolled = a.post("/api/me/totp", "{}", session);
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        String secret = JSON.readTree(enrolled.body()).get("secret").asText();
        var confirmed = b.post("/api/me/totp/confirm", "{\"code\":\"" + Oathtool.code(secret, 0) + "\"}", session);
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        String next = Oathtool.code(secret, 30);
        var first = a.post("/api/login", login + ",\"totp\":\"" + next + "\"}", null);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        var replay = b.post("/api/login", login + ",\"totp\":\"" + next + "\"}", null);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(401);
        assertThat(replay.body()).doesNotContain("totp_required");
    }

    /** The status a GET answers within 2 s (well under the 10 s the cache keeps an answer without notifications). */
    static boolean awaitCode(JarProcess via, String path, String bearer, int code) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (via.get(path, bearer).statusCode() == code) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * Both replicas tick every 200 ms, yet a service with a 10 s interval is checked once per interval; and each
     * finished deployment is announced once, by the replica that ran it.
     */
    @Test
    @Order(0)
    void scheduledChecksAndNotificationsHappenOnceAcrossReplicas() throws Exception {
        java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<String> announced = new java.util.concurrent.ConcurrentLinkedQueue<>();
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/health", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        http.createContext("/announce", ex -> {
            announced.add(new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            var ch = a.post("/api/notifications/channels", JSON.writeValueAsString(Map.of("name", "two-replicas", "kind", "webhook",
                    "events", java.util.List.of("deployment.succeeded"), "secret", "two-replicas-signing-secret",
                    "settings", Map.of("url", base + "/announce"))), token);
            assertThat(ch.statusCode()).as(ch.body()).isEqualTo(201);
            var svc = b.post("/api/services", JSON.writeValueAsString(Map.of("name", "two-replicas-health", "kind", "http",
                    "target", base + "/health", "interval_seconds", 10)), token);
            assertThat(svc.statusCode()).as(svc.body()).isEqualTo(201);
            long t0 = System.nanoTime();

            String alias = server("echo announced");
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(trigger(i % 2 == 0 ? a : b, alias));
            }
            for (long id : ids) {
                awaitStatus(a, id, Duration.ofSeconds(60), "SUCCEEDED");
            }
            // 21 s after the service was created: checks at about 0, 10 and 20 s, not twice each
            long left = 21_000 - (System.nanoTime() - t0) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
            assertThat(hits.get()).as("checks in 21 s with a 10 s interval on two replicas").isBetween(2, 3);
            for (long id : ids) {
                assertThat(announced.stream().filter(m -> m.contains("\"deployment_id\":" + id + ",")).count())
                        .as("messages for deployment %d", id).isEqualTo(1);
            }
        } finally {
            http.stop(0);
        }
    }

    @Test
    @Order(1)
    void neverTheSameDeploymentTwiceNeverTwoOnOneServer() throws Exception {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // mkdir is atomic: a second concurrent run on the same server fails loudly with exit 99
            servers.add(server("mkdir \"$PWD/running\" || { echo OVERLAP; exit 99; }\necho run >> \"$PWD/runs\"\n"
                    + "sleep 0.4\nrmdir \"$PWD/running\""));
        }
        List<Long> ids = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (String s : servers) {
                ids.add(trigger(round % 2 == 0 ? a : b, s));
            }
        }
        for (long id : ids) {
            JsonNode d = awaitStatus(b, id, Duration.ofSeconds(90), "SUCCEEDED", "FAILED", "INTERRUPTED", "CANCELLED", "TIMED_OUT");
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("SUCCEEDED");
        }
        for (String s : servers) {
            assertThat(Files.readAllLines(dir.resolve(s).resolve("runs"))).as("each deployment ran exactly once").hasSize(4);
        }
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            ResultSet overlaps = st.executeQuery("SELECT count(*) FROM deployments x JOIN deployments y ON x.server_id = y.server_id "
                    + "AND x.id < y.id AND x.started_at < y.finished_at AND y.started_at < x.finished_at");
            overlaps.next();
            assertThat(overlaps.getLong(1)).as("no two runs of one server overlap in time").isZero();
            ResultSet replicas = st.executeQuery("SELECT count(DISTINCT claimed_by) FROM deployments");
            replicas.next();
            assertThat(replicas.getLong(1)).as("both replicas ran deployments").isEqualTo(2);
        }
    }

    /** Re-runs queued on either replica each run once, on whichever replica claims them, with the same version. */
    /** Four approvers at once, two through each replica, on a deployment that needs two: queued once, run once. */
    @Test
    @Order(1)
    void concurrentApprovalsOnTwoReplicasQueueTheDeploymentOnceAndAScheduleFiresOnce() throws Exception {
        var env = a.post("/api/environments", "{\"name\":\"two-prod\",\"required_approvals\":2}", token);
        assertThat(env.statusCode()).as(env.body()).isEqualTo(201);
        String alias = "p" + Long.toHexString(System.nanoTime());
        Path work = Files.createDirectories(dir.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho ran >> \"$PWD/runs\"\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        var created = a.post("/api/servers", JSON.writeValueAsString(Map.of("name", alias, "alias", alias, "host", "127.0.0.1",
                "port", sshd.port(), "user", "deployer", "path", work.toString(), "host_key", sshd.hostKeyLine(),
                "environment", "two-prod")), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        List<String> approvers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = "appr" + i + Long.toHexString(System.nanoTime());
            var u = a.post("/api/users", "{\"username\":\"" + name + "\",\"password\":\"approver-pass\",\"role\":\"operator\"}", token);
            assertThat(u.statusCode()).as(u.body()).isEqualTo(201);
            var login = (i % 2 == 0 ? a : b).post("/api/login", "{\"username\":\"" + name + "\",\"password\":\"approver-pass\"}", null);
            approvers.add(JSON.readTree(login.body()).get("token").asText());
        }
        long id = trigger(a, alias);
        assertThat(get(b, id).get("status").asText()).isEqualTo("AWAITING_APPROVAL");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Integer>> codes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                JarProcess via = i % 2 == 0 ? a : b;
                String approver = approvers.get(i);
                codes.add(pool.submit(() -> {
                    go.await();
                    return via.post("/api/deployments/" + id + "/approve", "{}", approver).statusCode();
                }));
            }
            go.countDown();
            List<Integer> got = new ArrayList<>();
            for (var f : codes) {
                got.add(f.get());
            }
            assertThat(got).as("two approvals count, the others find it queued").containsExactlyInAnyOrder(200, 200, 409, 409);
        } finally {
            pool.shutdownNow();
        }
        assertThat(awaitStatus(b, id, Duration.ofSeconds(60), "SUCCEEDED", "FAILED").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Files.readAllLines(work.resolve("runs"))).containsExactly("ran");

        // a schedule due now, both replicas ticking: one deployment
        String plain = server("echo tick >> \"$PWD/runs\"");
        var sched = b.post("/api/schedules", "{\"server\":\"" + plain + "\",\"cron\":\"*/30 * * * *\"}", token);
        assertThat(sched.statusCode()).as(sched.body()).isEqualTo(201);
        long sid = JSON.readTree(sched.body()).get("id").asLong();
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE schedules SET next_run_at = now() WHERE id = " + sid);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !Files.exists(dir.resolve(plain).resolve("runs"))) {
            Thread.sleep(200);
        }
        // the due run was claimed once: the schedule moved on (no replica can claim that time again) and made one deployment
        String moved = "SELECT count(*) FROM schedules WHERE id = " + sid + " AND next_run_at > now() AND last_deployment_id IS NOT NULL";
        String finished = "SELECT count(*) FROM deployments WHERE source = 'schedule' AND note LIKE '%(schedule #" + sid + ",%' "
                + "AND status = 'SUCCEEDED'";
        while (System.nanoTime() < deadline && (count(moved) == 0 || count(finished) == 0)) {
            Thread.sleep(200);
        }
        assertThat(count(moved)).as("the schedule moved on").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM deployments WHERE source = 'schedule' AND note LIKE '%(schedule #" + sid + ",%'"))
                .as("deployments the due run made").isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve(plain).resolve("runs"))).containsExactly("tick");
    }

    @Test
    @Order(1)
    void aReRunQueuedOnOneReplicaRunsOnceOnEither() throws Exception {
        String alias = server("echo \"$REF\" >> \"$PWD/runs\"; sleep 0.2");
        var first = a.post("/api/deployments", "{\"server\":\"" + alias + "\",\"parameters\":{\"REF\":\"v7\"}}", token);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        long id = JSON.readTree(first.body()).get("id").asLong();
        assertThat(awaitStatus(b, id, Duration.ofSeconds(60), "SUCCEEDED", "FAILED").get("status").asText()).isEqualTo("SUCCEEDED");
        List<Long> reruns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            var r = (i % 2 == 0 ? a : b).post("/api/deployments/" + id + "/rerun", "", token);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            reruns.add(JSON.readTree(r.body()).get("id").asLong());
        }
        for (long r : reruns) {
            JsonNode d = awaitStatus(a, r, Duration.ofSeconds(60), "SUCCEEDED", "FAILED", "INTERRUPTED");
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("SUCCEEDED");
            assertThat(d.get("ref").asText()).isEqualTo("v7");
            assertThat(d.get("origin").asText()).isEqualTo("rerun");
            assertThat(d.get("origin_id").asLong()).isEqualTo(id);
        }
        assertThat(Files.readAllLines(dir.resolve(alias).resolve("runs"))).as("the first run and each re-run exactly once")
                .hasSize(7).containsOnly("v7");
    }

    @Test
    @Order(2)
    void aStreamOnOneReplicaFollowsADeploymentRunByTheOther() throws Exception {
        String s = server("for i in 1 2 3 4 5 6 7 8; do echo \"tick $i\"; sleep 0.25; done");
        long id = trigger(a, s);
        JsonNode running = awaitStatus(a, id, Duration.ofSeconds(30), "RUNNING", "SUCCEEDED");
        String replica = running.get("replica").asText();
        JarProcess other = replica.contains("/" + a.pid() + "/") ? b : a;
        List<String> ticks = new ArrayList<>();
        String status = readTicks(other, id, null, ticks);
        assertThat(status).isEqualTo("SUCCEEDED");
        assertThat(ticks).containsExactly("tick 1", "tick 2", "tick 3", "tick 4", "tick 5", "tick 6", "tick 7", "tick 8");

        // reconnecting with Last-Event-ID resumes after that line, without loss or repetition
        List<String> resumed = new ArrayList<>();
        String again = readTicks(other, id, lineOf(other, id, "tick 3"), resumed);
        assertThat(again).isEqualTo("SUCCEEDED");
        assertThat(resumed).containsExactly("tick 4", "tick 5", "tick 6", "tick 7", "tick 8");
    }

    /** The SSE line number of the output line with this text. */
    private static String lineOf(JarProcess via, long id, String text) throws Exception {
        List<String> ids = new ArrayList<>();
        readTicks(via, id, null, new ArrayList<>(), ids, text);
        return ids.get(0);
    }

    private static String readTicks(JarProcess via, long id, String lastEventId, List<String> ticks) throws Exception {
        return readTicks(via, id, lastEventId, ticks, new ArrayList<>(), null);
    }

    private static String readTicks(JarProcess via, long id, String lastEventId, List<String> ticks, List<String> idsOfMatch,
                                    String match) throws Exception {
        String status = null;
        HttpURLConnection conn = (HttpURLConnection) URI.create(via.url("/api/deployments/" + id + "/events")).toURL().openConnection();
        conn.setRequestProperty("Authorization", "Bearer " + token);
        conn.setRequestProperty("Accept", "text/event-stream");
        if (lastEventId != null) {
            conn.setRequestProperty("Last-Event-ID", lastEventId);
        }
        conn.setReadTimeout(30_000);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            String event = null;
            String eventId = null;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    eventId = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    String data = line.substring(5).trim();
                    if ("status".equals(event)) {
                        status = JSON.readTree(data).get("status").asText();
                        break;
                    }
                    String text = JSON.readTree(data).get("text").asText();
                    if (text.startsWith("tick")) {
                        ticks.add(text);
                    }
                    if (text.equals(match)) {
                        idsOfMatch.add(eventId);
                    }
                }
            }
        }
        return status;
    }

    @Test
    @Order(3)
    void aKilledReplicasDeploymentIsMarkedInterruptedByTheOther() throws Exception {
        String s = server("echo long\nsleep 120");
        long id = trigger(a, s);
        JsonNode running = awaitStatus(a, id, Duration.ofSeconds(30), "RUNNING");
        String replica = running.get("replica").asText();
        JarProcess victim = replica.contains("/" + a.pid() + "/") ? a : b;
        JarProcess survivor = victim == a ? b : a;
        long killedAt = System.nanoTime();
        victim.kill();
        JsonNode d = awaitStatus(survivor, id, Duration.ofSeconds(30), "INTERRUPTED");
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        assertThat(seconds).as("within the 6 s lease plus one reaper round").isLessThan(15);
        assertThat(d.get("error").asText()).contains(replica);
        assertThat(OffsetDateTime.parse(d.get("finished_at").asText())).isNotNull();
        // the server is free again and the survivor runs the next deployment
        Files.writeString(dir.resolve(s).resolve("deploy.sh"), "#!/bin/sh\necho again\n");
        assertThat(awaitStatus(survivor, trigger(survivor, s), Duration.ofSeconds(30), "SUCCEEDED", "FAILED")
                .get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(4)
    void sigtermInterruptsWhatCannotFinishWithinTheGracePeriodAndExitsCleanly() throws Exception {
        JarProcess alive = a.isAlive() ? a : b;
        String s = server("echo long\nsleep 120");
        long id = trigger(alive, s);
        awaitStatus(alive, id, Duration.ofSeconds(30), "RUNNING");
        alive.close(); // SIGTERM, then waits for the process
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, error FROM deployments WHERE id = " + id)) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("INTERRUPTED");
            assertThat(rs.getString(2)).contains("shut down");
        }
        assertThat(alive.output()).doesNotContain(" ERROR ");
    }

    private long count(String sql) throws Exception {
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
