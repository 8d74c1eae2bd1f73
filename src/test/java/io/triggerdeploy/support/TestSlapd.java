package io.triggerdeploy.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenLDAP {@code slapd}, run as a plain process on a loopback port with a test-only configuration in a
 * temporary folder (mdb database, the memberOf overlay, passwords readable only for binding, searches only for the
 * service account), filled from {@code ldap/directory.ldif} with {@code ldapadd}. Stop and start keep the data.
 */
public final class TestSlapd implements AutoCloseable {

    public static final String SUFFIX = "dc=example,dc=test";
    public static final String ROOT_DN = "cn=admin," + SUFFIX;
    public static final String ROOT_PASSWORD = "root-secret-1";
    public static final String READER_DN = "cn=reader," + SUFFIX;
    public static final String READER_PASSWORD = "reader-secret-1";

    private final Path dir;
    private final int port;
    private Process process;

    private TestSlapd(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/slapd")) && Files.isExecutable(Path.of("/usr/bin/ldapadd"));
    }

    /** Starts a new directory with the test entries. */
    public static TestSlapd start() throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("slapd and ldapadd are needed: apt-get install slapd ldap-utils (.ci/run does it)");
        }
        Path dir = Files.createTempDirectory("td-slapd");
        Files.createDirectories(dir.resolve("db"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String conf = String.join("\n",
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                "include /etc/ldap/schema/nis.schema",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "moduleload memberof",
                "pidfile " + dir.resolve("slapd.pid"),
                "database mdb",
                "maxsize 10485760",
                "suffix \"" + SUFFIX + "\"",
                "rootdn \"" + ROOT_DN + "\"",
                "rootpw " + ROOT_PASSWORD,
                "directory " + dir.resolve("db"),
                "overlay memberof",
                "access to attrs=userPassword by anonymous auth by * none",
                "access to * by dn.exact=\"" + READER_DN + "\" read by self read by * none",
                "");
        Files.writeString(dir.resolve("slapd.conf"), conf);
        try (InputStream ldif = TestSlapd.class.getResourceAsStream("/ldap/directory.ldif")) {
            Files.write(dir.resolve("directory.ldif"), ldif.readAllBytes());
        }
        TestSlapd slapd = new TestSlapd(dir, port);
        slapd.startProcess();
        slapd.run(List.of("/usr/bin/ldapadd", "-x", "-H", slapd.url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD,
                "-f", dir.resolve("directory.ldif").toString()));
        return slapd;
    }

    public String url() {
        return "ldap://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }

    /** A file holding the service account's password, as a mounted secret would. */
    public Path readerPasswordFile() throws IOException {
        Path f = dir.resolve("reader-password");
        Files.writeString(f, READER_PASSWORD + "\n");
        return f;
    }

    /** Runs ldapmodify as the directory's root with the given LDIF (changes made while the test runs). */
    public void modify(String ldif) throws IOException, InterruptedException {
        Path f = Files.createTempFile(dir, "change", ".ldif");
        Files.writeString(f, ldif);
        run(List.of("/usr/bin/ldapmodify", "-x", "-H", url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-f", f.toString()));
    }

    public synchronized void startProcess() throws IOException, InterruptedException {
        // -d 0: stay in the foreground (so the process is ours to stop) without debug output
        process = new ProcessBuilder("/usr/sbin/slapd", "-d", "0", "-f", dir.resolve("slapd.conf").toString(),
                "-h", "ldap://127.0.0.1:" + port + "/")
                .redirectErrorStream(true).redirectOutput(dir.resolve("slapd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("slapd exited: " + Files.readString(dir.resolve("slapd.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("slapd did not listen on port " + port + " within 20 s");
    }

    /** Stops the directory (it answers nothing until {@link #startProcess()}). */
    public synchronized void stopProcess() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        stopProcess();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
