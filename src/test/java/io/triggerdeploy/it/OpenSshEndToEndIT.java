package io.triggerdeploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.triggerdeploy.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end against a real OpenSSH sshd on a loopback port, with its own generated host and user keys:
 * the packaged jar pins the host key, authenticates with an OpenSSH-format ed25519 key and runs the script.
 * Needs /usr/sbin/sshd (Debian openssh-server; .ci/run installs it).
 */
class OpenSshEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Process sshd;
    private Process jumpSshd;
    private JarProcess app;
    private String db;

    @AfterEach
    void cleanUp() throws Exception {
        if (app != null) {
            app.close();
        }
        for (Process p : new Process[]{sshd, jumpSshd}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void deploysThroughOpenSsh() throws Exception {
        Path sshdBinary = Path.of("/usr/sbin/sshd");
        assertThat(sshdBinary).as("OpenSSH server is required: apt-get install openssh-server").exists();
        Path dir = Files.createTempDirectory("openssh-e2e");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "trigger-deploy", "-f", dir.resolve("id_ed25519").toString());
        // a second client key as many teams keep them: PKCS#8 PEM with a passphrase ("BEGIN ENCRYPTED PRIVATE KEY"),
        // in the per-server key folder; MINA needs BouncyCastle's PKIX part (bcpkix) to decrypt it
        Path keys = Files.createDirectories(dir.resolve("keys"));
        run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PKCS8", "-N", "e2e-pem-passphrase", "-C", "pem",
                "-f", keys.resolve("deploy_pem").toString());
        assertThat(Files.readString(keys.resolve("deploy_pem"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(dir.resolve("id_ed25519.pub"))
                + Files.readString(keys.resolve("deploy_pem.pub")));
        int port = JarProcess.freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PubkeyAuthentication yes",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
                "StrictModes no", "UsePAM no", "PidFile " + dir.resolve("sshd.pid"), "LogLevel VERBOSE", ""));
        Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory
        sshd = new ProcessBuilder(sshdBinary.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        awaitPort(port, Duration.ofSeconds(15), dir);

        Path work = Files.createDirectories(dir.resolve("app dir"));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"deploying as $(id -un) in $PWD\"\necho failing-line >&2\nexit 0\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);

        Files.write(dir.resolve("secrets.key"), java.security.SecureRandom.getInstanceStrong().generateSeed(32));
        db = TestDatabases.create("td_it_openssh");
        app = JarProcess.start("openssh", db, Map.of("TRIGGER_ADMIN_PASSWORD", "openssh-admin",
                "TRIGGER_SSH_PRIVATE_KEY_FILE", dir.resolve("id_ed25519").toString(),
                "TRIGGER_SSH_KEY_DIRECTORY", keys.toString(),
                "TRIGGER_SSH_PRIVATE_KEY_PASSPHRASE", "e2e-pem-passphrase",
                "TRIGGER_SECRETS_KEY_FILE", dir.resolve("secrets.key").toString()));
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(app.output()).isTrue();
        String token = JSON.readTree(app.post("/api/login", "{\"username\":\"admin\",\"password\":\"openssh-admin\"}", null).body())
                .get("token").asText();
        String user = System.getProperty("user.name");
        var created = app.post("/api/servers", JSON.writeValueAsString(Map.of("name", "openssh", "alias", "openssh",
                "host", "127.0.0.1", "port", port, "user", user, "path", work.toString())), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long serverId = JSON.readTree(created.body()).get("id").asLong();

        // pin the host key the way an admin would: scan, compare with the host's own .pub, confirm
        JsonNode scan = JSON.readTree(app.post("/api/servers/" + serverId + "/host-key/scan", "", token).body());
        String expected = run("ssh-keygen", "-l", "-E", "sha256", "-f", dir.resolve("host_key.pub").toString()).split("\\s+")[1];
        assertThat(scan.get("fingerprint").asText()).isEqualTo(expected);
        var pinned = app.put("/api/servers/" + serverId + "/host-key", "{\"fingerprint\":\"" + expected + "\"}", token);
        assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);

        long id = deploy("openssh", token, dir);
        String log = app.get("/api/deployments/" + id + "/log", token).body();
        assertThat(log).contains("out | deploying as " + user + " in " + work).contains("err | failing-line");

        // the same host through the passphrase-protected PEM key
        var pem = app.post("/api/servers", JSON.writeValueAsString(Map.of("name", "openssh-pem", "alias", "openssh-pem",
                "host", "127.0.0.1", "port", port, "user", user, "path", work.toString(), "private_key_ref", "deploy_pem",
                "host_key", Files.readString(dir.resolve("host_key.pub")).trim())), token);
        assertThat(pem.statusCode()).as(pem.body()).isEqualTo(201);
        long pemDeployment = deploy("openssh-pem", token, dir);
        assertThat(app.get("/api/deployments/" + pemDeployment + "/log", token).body()).contains("out | deploying as " + user);
        assertThat(app.output()).doesNotContain("e2e-pem-passphrase");

        tdFromTheServiceDeploysAndFollows(dir, token, user);
        parametersSecretsStepsAndAJumpHost(dir, port, token, user);
        aRollingRolloutOverTheRealHosts(dir, port, token, user);
    }

    /** The td jar the packaged service serves, run on a bare JVM: deploy, wait and follow to the real sshd. */
    private void tdFromTheServiceDeploysAndFollows(Path dir, String token, String user) throws Exception {
        var jar = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(app.url("/cli/td.jar")))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(jar.statusCode()).isEqualTo(200);
        Path file = dir.resolve("td.jar");
        Files.write(file, jar.body());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", file.toString(),
                "deploy", "openssh", "--wait", "--follow", "--timeout", "2m").redirectErrorStream(true);
        pb.environment().put("TD_URL", app.url(""));
        pb.environment().put("TD_TOKEN", token);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("deploying as " + user).contains("failing-line").contains("SUCCEEDED");
    }

    /**
     * A rolling rollout over three hosts on the two real sshd (one of them reached through the jump host): the waves
     * run one after another; a second rollout whose release fails on the second host rolls the first back to v2.
     */
    private void aRollingRolloutOverTheRealHosts(Path dir, int port, String token, String user) throws Exception {
        String hostKey = Files.readString(dir.resolve("host_key.pub")).trim();
        int jumpPort = Integer.parseInt(Files.readString(dir.resolve("jump_config")).lines().filter(l -> l.startsWith("Port "))
                .findFirst().orElseThrow().substring(5).trim());
        List<String> fleet = List.of("fleet-1", "fleet-2", "fleet-3");
        for (String name : fleet) {
            Path work = Files.createDirectories(dir.resolve(name));
            Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n[ -f \"fail-$REF\" ] && { echo \"$REF refused\" >&2; exit 3; }\n"
                    + "echo \"$REF\" > current\necho \"deploying $REF on " + name + "\"\n");
            assertThat(work.resolve("deploy.sh").toFile().setExecutable(true)).isTrue();
            Map<String, Object> server = new java.util.HashMap<>(Map.of("name", name, "alias", name, "host", "127.0.0.1",
                    "port", name.equals("fleet-2") ? jumpPort : port, "user", user, "path", work.toString(), "host_key", hostKey));
            if (name.equals("fleet-3")) {
                server.put("jump_host", "bastion");
            }
            var created = app.post("/api/servers", JSON.writeValueAsString(server), token);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        var group = app.post("/api/groups", JSON.writeValueAsString(Map.of("name", "fleet", "servers", fleet)), token);
        assertThat(group.statusCode()).as(group.body()).isEqualTo(201);

        JsonNode done = rollout(Map.of("target", Map.of("group", "fleet"), "strategy", "rolling", "batch", 1, "ref", "v2"), token, dir);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("waves").toString()).isEqualTo("[[\"fleet-1\"],[\"fleet-2\"],[\"fleet-3\"]]");
        java.time.OffsetDateTime previousEnd = null;
        for (JsonNode h : done.get("hosts")) {
            JsonNode d = JSON.readTree(app.get("/api/deployments/" + h.get("deployment_id").asLong(), token).body());
            assertThat(d.get("rollout_id").asLong()).isEqualTo(done.get("id").asLong());
            java.time.OffsetDateTime started = java.time.OffsetDateTime.parse(d.get("started_at").asText());
            if (previousEnd != null) {
                assertThat(started).as("a wave starts after the one before ended").isAfterOrEqualTo(previousEnd);
            }
            previousEnd = java.time.OffsetDateTime.parse(d.get("finished_at").asText());
            String server = h.get("server").asText();
            assertThat(app.get("/api/deployments/" + d.get("id").asLong() + "/log", token).body()).contains("deploying v2 on " + server);
            assertThat(Files.readString(dir.resolve(server).resolve("current")).trim()).isEqualTo("v2");
        }

        // v3 fails on fleet-2: the budget of 0 breaks, and fleet-1 returns to v2 through the real sshd
        Files.writeString(dir.resolve("fleet-2").resolve("fail-v3"), "");
        JsonNode rolledBack = rollout(Map.of("target", Map.of("group", "fleet"), "strategy", "rolling", "batch", 1, "ref", "v3",
                "on_breach", "rollback"), token, dir);
        assertThat(rolledBack.get("status").asText()).as(rolledBack.toString()).isEqualTo("ROLLED_BACK");
        long back = rolledBack.get("hosts").get(0).get("rollback_deployment_id").asLong();
        awaitSucceeded(back, token, dir);
        assertThat(app.get("/api/deployments/" + back + "/log", token).body()).contains("deploying v2 on fleet-1");
        assertThat(Files.readString(dir.resolve("fleet-1").resolve("current")).trim()).isEqualTo("v2");
        assertThat(Files.readString(dir.resolve("fleet-2").resolve("current")).trim()).isEqualTo("v2");
        assertThat(Files.readString(dir.resolve("fleet-3").resolve("current")).trim()).isEqualTo("v2");
        assertThat(rolledBack.get("hosts").get(1).get("status").asText()).isEqualTo("FAILED");
        assertThat(rolledBack.get("hosts").get(2).path("deployment_id").isMissingNode()).as("fleet-3 never took v3").isTrue();
    }

    /** Starts a rollout and waits (at most 90 s) until it ends. */
    private JsonNode rollout(Map<String, Object> body, String token, Path dir) throws Exception {
        var created = app.post("/api/rollouts", JSON.writeValueAsString(body), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = JSON.readTree(created.body()).get("id").asLong();
        JsonNode r = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            r = JSON.readTree(app.get("/api/rollouts/" + id, token).body());
            if (!List.of("RUNNING", "AWAITING_APPROVAL").contains(r.get("status").asText())) {
                return r;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("rollout " + id + " did not end: " + r + "\n" + Files.readString(dir.resolve("sshd.log")));
    }

    /**
     * Through a second real sshd as the jump host: typed parameters with a hostile value, a secret that travels on
     * stdin (never on the command line sshd logs or ps shows) and is masked, a precheck and a verify step.
     */
    private void parametersSecretsStepsAndAJumpHost(Path dir, int port, String token, String user) throws Exception {
        int jumpPort = JarProcess.freePort();
        Files.writeString(dir.resolve("jump_config"), Files.readString(dir.resolve("sshd_config"))
                .replace("Port " + port, "Port " + jumpPort).replace(dir.resolve("sshd.pid").toString(), dir.resolve("jump.pid").toString()));
        jumpSshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("jump_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("jump.log").toFile()).start();
        awaitPort(jumpPort, Duration.ofSeconds(15), dir);
        String hostKey = Files.readString(dir.resolve("host_key.pub")).trim();
        var bastion = app.post("/api/servers", JSON.writeValueAsString(Map.of("name", "bastion", "alias", "bastion",
                "host", "127.0.0.1", "port", jumpPort, "user", user, "path", "/tmp", "host_key", hostKey)), token);
        assertThat(bastion.statusCode()).as(bastion.body()).isEqualTo(201);

        Path work = Files.createDirectories(dir.resolve("params"));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\nprintf 'TARGET=[%s] REF=[%s] token=[%s]\\n' \"$TARGET\" \"$REF\" \"$API_TOKEN\"\n");
        Files.writeString(work.resolve("verify.sh"), "[ \"$API_TOKEN\" = 'e2e-secret-value-42' ] && echo verified\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        var created = app.post("/api/servers", JSON.writeValueAsString(Map.of("name", "openssh-params", "alias", "openssh-params",
                "host", "127.0.0.1", "port", port, "user", user, "path", work.toString(), "host_key", hostKey,
                "jump_host", "bastion",
                "parameters", List.of(Map.of("name", "TARGET", "type", "string", "required", true),
                        Map.of("name", "API_TOKEN", "type", "secret")),
                "steps", Map.of("precheck", List.of("test -x deploy.sh"), "verify", Map.of("commands", List.of("sh verify.sh"))))), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String hostile = "blue'; touch pwned; echo \"$(id)\" `id` \\ ü";
        long id = deployBody(JSON.writeValueAsString(Map.of("server", "openssh-params", "parameters",
                Map.of("TARGET", hostile, "REF", "v1.2.3", "API_TOKEN", "e2e-secret-value-42"))), token, dir);
        String log = app.get("/api/deployments/" + id + "/log", token).body();
        assertThat(log).contains("out | TARGET=[" + hostile + "] REF=[v1.2.3] token=[***]").contains("out | verified")
                .contains("[step] verify: SUCCEEDED").doesNotContain("e2e-secret-value-42");
        assertThat(work.resolve("pwned")).doesNotExist();
        JsonNode d = JSON.readTree(app.get("/api/deployments/" + id, token).body());
        assertThat(d.get("parameters").get("API_TOKEN").asText()).isEqualTo("***");
        assertThat(d.get("steps").toString()).contains("\"precheck\"").contains("\"verify\"");
        // the jump host forwarded the connection; the target's sshd never saw the secret on a command line
        assertThat(Files.readString(dir.resolve("jump.log"))).contains("Accepted publickey");
        assertThat(Files.readString(dir.resolve("sshd.log")) + Files.readString(dir.resolve("jump.log")) + app.output())
                .doesNotContain("e2e-secret-value-42");
    }

    private long deploy(String server, String token, Path dir) throws Exception {
        return deployBody("{\"server\":\"" + server + "\"}", token, dir);
    }

    private long deployBody(String body, String token, Path dir) throws Exception {
        var triggered = app.post("/api/deployments", body, token);
        assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
        long id = JSON.readTree(triggered.body()).get("id").asLong();
        awaitSucceeded(id, token, dir);
        return id;
    }

    /** Waits (at most 60 s) for the deployment to end, and asserts it SUCCEEDED. */
    private void awaitSucceeded(long id, String token, Path dir) throws Exception {
        JsonNode d = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            d = JSON.readTree(app.get("/api/deployments/" + id, token).body());
            if (!List.of("QUEUED", "RUNNING").contains(d.get("status").asText())) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(d.get("status").asText()).as(d + "\n" + Files.readString(dir.resolve("sshd.log"))).isEqualTo("SUCCEEDED");
    }

    private static void awaitPort(int port, Duration timeout, Path dir) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("sshd did not listen: " + Files.readString(dir.resolve("sshd.log")));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
