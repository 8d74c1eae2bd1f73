package io.triggerdeploy.support;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;

/**
 * An in-process Apache MINA SSH server on a loopback port that runs exec requests with {@code /bin/sh -c},
 * like OpenSSH does, and accepts exactly one user with one public key.
 */
public final class TestSshServer implements AutoCloseable {

    public final KeyPair hostKey;
    public final String user;
    private final SshServer server;
    private volatile PublicKey authorized;
    private final java.util.concurrent.atomic.AtomicInteger forwards = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Set<Object> authenticatedSessions = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TestSshServer(KeyPair hostKey, String user, PublicKey authorized) throws IOException {
        this.hostKey = hostKey;
        this.user = user;
        this.authorized = authorized;
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((u, key, session) -> {
            boolean ok = u.equals(this.user) && KeyUtils.compareKeys(key, this.authorized);
            if (ok) {
                authenticatedSessions.add(session); // asked twice per login (key acceptable? then the signature)
            }
            return ok;
        });
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new ShellCommand(command));
        server.start();
    }

    /*
     * MINA registers BouncyCastle as a JVM-wide provider the first time it is used. The test classes and the
     * @QuarkusTest application load MINA and BouncyCastle through different class loaders; if the tests' copy
     * registered the provider, the application's MINA would get keys of the other loader's classes and fail on
     * ed25519 (ClassCastException). The test side needs only the JDK's EC, so its MINA is kept off BouncyCastle:
     * the property is read once, when this class loader's SecurityUtils initialises, and then cleared again.
     */
    static {
        String property = "org.apache.sshd.security.provider.BC.enabled";
        String before = System.getProperty(property);
        System.setProperty(property, "false");
        try {
            org.apache.sshd.common.util.security.SecurityUtils.isBouncyCastleRegistered();
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    public static TestSshServer start(String user, PublicKey authorizedKey) throws IOException {
        return new TestSshServer(ecKeyPair(), user, authorizedKey);
    }

    public int port() {
        return server.getPort();
    }

    public String hostKeyLine() {
        return org.apache.sshd.common.config.keys.PublicKeyEntry.toString(hostKey.getPublic());
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a private key in OpenSSH format (what ssh-keygen writes), unencrypted. */
    public static Path writePrivateKey(Path dir, String name, KeyPair pair) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter.INSTANCE
                    .writePrivateKey(pair, "test", null, out);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        return file;
    }

    /**
     * Lets clients open direct-tcpip channels (what a jump host does for {@code ssh -J}) to loopback addresses only,
     * counting them; off by default, like {@code AllowTcpForwarding no}.
     */
    public TestSshServer allowForwardingToLoopback() {
        server.setForwardingFilter(org.apache.sshd.server.forward.ForwardingFilter.asForwardingFilter(
                org.apache.sshd.server.forward.AgentForwardingFilter.of(false),
                org.apache.sshd.server.forward.X11ForwardingFilter.of(false),
                new org.apache.sshd.server.forward.TcpForwardingFilter() {
                    @Override
                    public boolean canListen(org.apache.sshd.common.util.net.SshdSocketAddress address,
                                             org.apache.sshd.common.session.Session session) {
                        return false;
                    }

                    @Override
                    public boolean canConnect(Type type, org.apache.sshd.common.util.net.SshdSocketAddress address,
                                              org.apache.sshd.common.session.Session session) {
                        boolean ok = "127.0.0.1".equals(address.getHostName()) || "localhost".equals(address.getHostName());
                        if (ok) {
                            forwards.incrementAndGet();
                        }
                        return ok;
                    }
                }));
        return this;
    }

    /** How many direct-tcpip channels this server opened (as a jump host). */
    public int forwards() {
        return forwards.get();
    }

    /** How many sessions logged in with the client key (a reused session logs in once). */
    public int authentications() {
        return authenticatedSessions.size();
    }

    /** Drops every open connection, as a restarted sshd or a network cut would. */
    public void dropConnections() {
        server.getActiveSessions().forEach(s -> s.close(true));
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** Runs one exec request through the system shell and relays its streams and exit status. */
    static final class ShellCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        ShellCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            process = new ProcessBuilder("/bin/sh", "-c", command).start();
            if (in == null) {
                process.getOutputStream().close();
            } else {
                pump(in, process.getOutputStream(), process.getOutputStream()); // what the client sends, then EOF, like sshd
            }
            Thread o = pump(process.getInputStream(), out);
            Thread e = pump(process.getErrorStream(), err);
            Thread waiter = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    o.join(5000);
                    e.join(5000);
                    exit.onExit(code);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }, "test-sshd-wait");
            waiter.setDaemon(true);
            waiter.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null && process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        /** Copies {@code in} to {@code to} on a thread of its own; the stream named {@code closing} is closed at the end. */
        private static Thread pump(InputStream in, OutputStream to) {
            return pump(in, to, in);
        }

        private static Thread pump(InputStream in, OutputStream to, java.io.Closeable closing) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (closing) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException ignored) {
                    // channel closed
                }
            }, "test-sshd-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }
}
