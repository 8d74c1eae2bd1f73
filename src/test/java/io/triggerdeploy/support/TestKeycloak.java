package io.triggerdeploy.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Keycloak ({@code org.keycloak:keycloak-quarkus-dist} from Maven Central, copied next to the build by the pom)
 * in dev mode on a loopback port, with the test realm {@code keycloak/trigger-realm.json} imported: groups td-admins,
 * deployers, watchers; users alice, dave, walt, nora and an "admin" who is not ours; the confidential client
 * trigger-deploy with PKCE, a groups claim and its own audience. Keycloak 26 needs Java 21+, so it runs on the Temurin 25
 * JDK; the service stays on 17. The unpacked distribution (and its first-start build) is kept under {@code target/}.
 */
public final class TestKeycloak implements AutoCloseable {

    public static final String VERSION = "26.7.3";
    public static final String REALM = "trigger";
    public static final String CLIENT_ID = "trigger-deploy";
    public static final String CLIENT_SECRET = "kc-test-client-secret";
    static final Path JDK = Path.of(System.getProperty("td.keycloak.java-home", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    /** System properties through which an early start ({@link KeycloakEarlyStart}) hands its process to the test. */
    static final String EARLY = "td.keycloak.early";
    static final String EARLY_PORT = "td.keycloak.port";
    static final String EARLY_PID = "td.keycloak.pid";

    private final Path home;
    private final int port;
    private ProcessHandle process;

    private TestKeycloak(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /**
     * A ready Keycloak: the one {@link KeycloakEarlyStart} launched when the run began (it boots while other classes
     * run; the handover goes through system properties because the test's class loader is not the listener's), or a
     * new one when there is none or it died.
     */
    public static TestKeycloak start() throws IOException, InterruptedException {
        TestKeycloak early = early();
        if (early != null && early.awaitReady()) {
            return early;
        }
        TestKeycloak kc = new TestKeycloak(prepared(), freePort());
        kc.startProcess();
        return kc;
    }

    /** Launches Keycloak without waiting for it and publishes its port and process (the early start). */
    static void launchEarly() throws IOException, InterruptedException {
        TestKeycloak kc = new TestKeycloak(prepared(), freePort());
        kc.launch();
        System.setProperty(EARLY_PORT, String.valueOf(kc.port));
        System.setProperty(EARLY_PID, String.valueOf(kc.process.pid()));
        ProcessHandle handle = kc.process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            handle.descendants().forEach(ProcessHandle::destroy);
            handle.destroy();
        }, "keycloak-stop"));
    }

    /** The early start's Keycloak once it has been launched (waits while it is being unpacked), or null. */
    private static TestKeycloak early() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.getProperty(EARLY) != null && System.getProperty(EARLY_PID) == null && System.nanoTime() < deadline) {
            if ("failed".equals(System.getProperty(EARLY))) {
                return null;
            }
            Thread.sleep(100);
        }
        String pid = System.getProperty(EARLY_PID);
        if (pid == null) {
            return null;
        }
        TestKeycloak kc = new TestKeycloak(prepared(), Integer.parseInt(System.getProperty(EARLY_PORT)));
        kc.process = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
        return kc.process == null ? null : kc;
    }

    /** The unpacked distribution with the test realm in its import folder. */
    private static Path prepared() throws IOException, InterruptedException {
        Path home = unpacked();
        Path imports = home.resolve("data/import");
        Files.createDirectories(imports);
        try (var realm = TestKeycloak.class.getResourceAsStream("/keycloak/trigger-realm.json")) {
            Files.write(imports.resolve("trigger-realm.json"), realm.readAllBytes());
        }
        return home;
    }

    /** The distribution unpacked under target/ (once per build folder). */
    static Path unpacked() throws IOException, InterruptedException {
        Path target = Path.of("target/keycloak").toAbsolutePath();
        Path home = target.resolve("keycloak-" + VERSION);
        if (Files.isExecutable(home.resolve("bin/kc.sh"))) {
            return home;
        }
        Path archive = Path.of("target/keycloak-dist/keycloak-quarkus-dist-" + VERSION + ".tar.gz");
        if (!Files.exists(archive)) {
            Path repo = Path.of(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
            archive = repo.resolve("org/keycloak/keycloak-quarkus-dist/" + VERSION + "/keycloak-quarkus-dist-" + VERSION + ".tar.gz");
        }
        if (!Files.exists(archive)) {
            throw new IllegalStateException("Keycloak's distribution is missing: run the build through Maven (the pom copies "
                    + "org.keycloak:keycloak-quarkus-dist:" + VERSION + ":tar.gz to target/keycloak-dist)");
        }
        Files.createDirectories(target);
        Process tar = new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString(), "-C", target.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes());
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IllegalStateException("tar failed: " + out);
        }
        return home;
    }

    public String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    public int port() {
        return port;
    }

    public synchronized void startProcess() throws IOException, InterruptedException {
        launch();
        if (!awaitReady()) {
            throw new IllegalStateException("Keycloak exited; see " + home.resolve("keycloak-test.log"));
        }
    }

    private void launch() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev", "--http-host=127.0.0.1",
                "--http-port=" + port, "--http-management-port=" + freePort(), "--import-realm", "--cache=local")
                .redirectErrorStream(true).redirectOutput(home.resolve("keycloak-test.log").toFile());
        pb.environment().put("JAVA_HOME", JDK.toString());
        pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        process = pb.start().toHandle();
    }

    /** Waits (at most 240 s) until the realm answers; false when the process exited first. */
    private boolean awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Keycloak was not ready within 240 s; see " + home.resolve("keycloak-test.log"));
    }

    /** Stops Keycloak (the script and the JVM it started). */
    public synchronized void stopProcess() throws InterruptedException {
        if (process == null) {
            return;
        }
        java.util.List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process);
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        stopProcess();
    }
}
