package io.triggerdeploy.it;

import io.triggerdeploy.support.TestDatabases;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One copy of the packaged jar (target/quarkus-app), started as a separate process on a loopback port. */
final class JarProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int port;
    final Path log;
    private final Process process;

    private JarProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts the jar against {@code database} with the given extra environment (POSTGRES_* default to the test server). */
    static JarProcess start(String name, String database, Map<String, String> extraEnv) throws IOException {
        Map<String, String> base = new HashMap<>();
        base.put("POSTGRES_HOST", TestDatabases.host());
        base.put("POSTGRES_PORT", String.valueOf(TestDatabases.port()));
        base.put("POSTGRES_USER", TestDatabases.user());
        base.put("POSTGRES_PASSWORD", TestDatabases.password());
        base.put("POSTGRES_DB", database);
        base.putAll(extraEnv);
        return launch(name, base);
    }

    /** Starts the jar with no database settings at all (no POSTGRES_*, no QUARKUS_DATASOURCE_*): the embedded default. */
    static JarProcess startWithoutDatabase(String name, Map<String, String> extraEnv) throws IOException {
        return launch(name, extraEnv);
    }

    private static JarProcess launch(String name, Map<String, String> extraEnv) throws IOException {
        Path appDir = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));
        Path jar = appDir.resolve("quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Packaged jar missing: " + jar + " (run ./mvnw verify)");
        }
        int port = freePort();
        Path log = Files.createTempFile("trigger-it-" + name + "-", ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=128m", "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("TRIGGER_") || k.startsWith("QUARKUS_") || k.startsWith("POSTGRES_"));
        Map<String, String> base = new HashMap<>();
        base.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        base.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        base.put("TRIGGER_AUTH_BCRYPT_COST", "8");
        base.putAll(extraEnv);
        env.putAll(base);
        return new JarProcess(port, log, pb.start());
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    HttpResponse<String> post(String path, String json, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String path, String json, String bearer) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + bearer)
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String path, String bearer) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, then the exit code (null if it did not exit within the timeout). */
    Integer terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** SIGKILL: the process gets no chance to clean up, like a node that dies. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit; returns its exit code, or null if it is still running at the deadline. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls until ready or the deadline; bounded by time, never loops forever. */
    boolean awaitStatus(String path, int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(path) == expected) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(200);
        }
        return false;
    }
}
