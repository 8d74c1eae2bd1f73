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
    private final int tlsPort;
    private Process process;

    private TestSlapd(Path dir, int port, int tlsPort) {
        this.dir = dir;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/slapd")) && Files.isExecutable(Path.of("/usr/bin/ldapadd"));
    }

    /** Starts a new directory with the test entries. */
    public static TestSlapd start() throws IOException, InterruptedException {
        return start(false);
    }

    /**
     * With {@code tls}, a test CA (made with openssl) signs a certificate for 127.0.0.1, and slapd offers StartTLS on its
     * port and LDAPS on {@link #tlsUrl()}; {@link #caFile()} is the CA to trust.
     */
    public static TestSlapd start(boolean tls) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("slapd and ldapadd are needed: apt-get install slapd ldap-utils (.ci/run does it)");
        }
        Path dir = Files.createTempDirectory("td-slapd");
        Files.createDirectories(dir.resolve("db"));
        int port = freePort();
        int tlsPort = tls ? freePort() : 0;
        String tlsConf = "";
        if (tls) {
            makeCertificates(dir, "ca", true);
            tlsConf = String.join("\n", "TLSCACertificateFile " + dir.resolve("ca.pem"),
                    "TLSCertificateFile " + dir.resolve("server.pem"), "TLSCertificateKeyFile " + dir.resolve("server.key"), "");
        }
        String conf = tlsConf + String.join("\n",
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
        TestSlapd slapd = new TestSlapd(dir, port, tlsPort);
        slapd.startProcess();
        slapd.run(List.of("/usr/bin/ldapadd", "-x", "-H", slapd.url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD,
                "-f", dir.resolve("directory.ldif").toString()));
        return slapd;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A CA (prefix.pem) and, with {@code server}, a certificate it signs for 127.0.0.1 (server.pem, server.key). */
    private static void makeCertificates(Path dir, String prefix, boolean server) throws IOException, InterruptedException {
        exec(dir, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", prefix + ".key", "-out", prefix + ".pem",
                "-days", "2", "-subj", "/CN=trigger-deploy test " + prefix));
        if (server) {
            Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
            exec(dir, List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                    "-subj", "/CN=127.0.0.1"));
            exec(dir, List.of("openssl", "x509", "-req", "-in", "server.csr", "-CA", prefix + ".pem", "-CAkey", prefix + ".key",
                    "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext"));
        }
    }

    private static void exec(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
    }

    /** The test CA that signed the directory's certificate. */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** Another CA, which signed nothing the directory presents. */
    public Path otherCaFile() throws IOException, InterruptedException {
        if (!Files.exists(dir.resolve("other.pem"))) {
            makeCertificates(dir, "other", false);
        }
        return dir.resolve("other.pem");
    }

    public String tlsUrl() {
        return "ldaps://127.0.0.1:" + tlsPort + "/";
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
                "-h", "ldap://127.0.0.1:" + port + "/" + (tlsPort > 0 ? " ldaps://127.0.0.1:" + tlsPort + "/" : ""))
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
