package io.triggerdeploy.ssh;

import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SSH client against a real in-process SSH server running real shell commands. */
class SshServiceTest {

    Path dir;
    KeyPair userKey;
    TestSshServer sshd;
    SshService ssh;
    final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("ssh-test");
        userKey = TestSshServer.ecKeyPair();
        Path keyFile = TestSshServer.writePrivateKey(dir, "id_deploy", userKey);
        sshd = TestSshServer.start("deployer", userKey.getPublic());
        ssh = new SshService(new Settings(keyFile, dir));
        ssh.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        ssh.stop();
        sshd.close();
    }

    SshTarget target() {
        return new SshTarget("127.0.0.1", sshd.port(), "deployer", sshd.hostKeyLine(), null);
    }

    ExecResult run(SshTarget t, String path, String command, Duration timeout, Cancellation c) throws SshFailure {
        return ssh.exec(t, ShellQuote.remoteCommand(path, command), (s, l) -> lines.add(s + " " + l), timeout, c);
    }

    @Test
    void offersThePostQuantumMlKemExchangeFirstAndEveryOtherInTheOrderBefore() {
        // OpenSSH 9.9+ agrees on ML-KEM (post-quantum, cheap); an older server gets the same choice as before
        java.util.List<org.apache.sshd.common.kex.BuiltinDHFactories> kex = KeyExchanges.preferred();
        java.util.List<org.apache.sshd.common.kex.BuiltinDHFactories> before =
                new java.util.ArrayList<>(org.apache.sshd.common.BaseBuilder.DEFAULT_KEX_PREFERENCE);
        before.remove(org.apache.sshd.common.kex.BuiltinDHFactories.mlkem768x25519);
        assertThat(kex.get(0)).isEqualTo(org.apache.sshd.common.kex.BuiltinDHFactories.mlkem768x25519);
        assertThat(kex.subList(1, kex.size())).isEqualTo(before);
    }

    @Test
    void runsInTheDeployDirectoryAndStreamsBothStreams() throws Exception {
        Path work = Files.createDirectories(dir.resolve("my 'app' dir"));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"in $(basename \"$PWD\")\"\necho oops >&2\necho done\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        ExecResult r = run(target(), work.toString(), "./deploy.sh", Duration.ofSeconds(20), new Cancellation());
        assertThat(r).isEqualTo(new ExecResult(ExecResult.Outcome.SUCCEEDED, 0, null));
        assertThat(lines).contains("STDOUT in my 'app' dir", "STDOUT done", "STDERR oops");
        assertThat(lines.indexOf("STDOUT in my 'app' dir")).isLessThan(lines.indexOf("STDOUT done"));
    }

    @Test
    void nonZeroExitIsAFailureWithItsCode() throws Exception {
        Files.writeString(dir.resolve("fail.sh"), "echo before\nexit 3\n");
        ExecResult r = run(target(), dir.toString(), "sh fail.sh", Duration.ofSeconds(20), new Cancellation());
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.FAILED);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.error()).contains("status 3");
        assertThat(lines).containsExactly("STDOUT before");
    }

    @Test
    void timeoutClosesTheChannelAndStopsTheCommand() throws Exception {
        Files.writeString(dir.resolve("slow.sh"), "echo started\nsleep 30\ntouch finished\n");
        long t0 = System.nanoTime();
        ExecResult r = run(target(), dir.toString(), "sh slow.sh", Duration.ofSeconds(2), new Cancellation());
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(lines).containsExactly("STDOUT started");
        org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> !Files.exists(dir.resolve("finished")));
    }

    @Test
    void cancelFromAnotherThreadStopsTheCommand() throws Exception {
        Files.writeString(dir.resolve("long.sh"), "echo tick\nsleep 30\ntouch finished\n");
        Cancellation cancel = new Cancellation();
        CountDownLatch started = new CountDownLatch(1);
        Thread canceller = new Thread(() -> {
            try {
                if (started.await(20, TimeUnit.SECONDS)) {
                    cancel.cancel();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        canceller.start();
        ExecResult r = ssh.exec(target(), ShellQuote.remoteCommand(dir.toString(), "sh long.sh"), (s, l) -> {
            lines.add(l);
            started.countDown();
        }, Duration.ofSeconds(60), cancel);
        canceller.join(5000);
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.CANCELLED);
        assertThat(lines).containsExactly("tick");
    }

    @Test
    void hostKeyMismatchNeverRunsTheCommand() throws Exception {
        String otherKey = org.apache.sshd.common.config.keys.PublicKeyEntry.toString(TestSshServer.ecKeyPair().getPublic());
        SshTarget wrong = new SshTarget("127.0.0.1", sshd.port(), "deployer", otherKey, null);
        assertThatThrownBy(() -> run(wrong, dir.toString(), "touch ran", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(SshFailure.Kind.HOST_KEY_MISMATCH);
                    assertThat(f.getMessage()).contains(HostKeys.parse(otherKey).fingerprint())
                            .contains(HostKeys.of(sshd.hostKey.getPublic()).fingerprint());
                });
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void unpinnedServerIsRefusedBeforeConnecting() {
        SshTarget unpinned = new SshTarget("127.0.0.1", sshd.port(), "deployer", null, null);
        assertThatThrownBy(() -> run(unpinned, dir.toString(), "touch ran", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.kind()).isEqualTo(SshFailure.Kind.NO_PINNED_KEY));
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void wrongUserKeyOrUserIsAnAuthenticationFailure() throws Exception {
        TestSshServer.writePrivateKey(dir, "other_key", TestSshServer.ecKeyPair());
        SshTarget otherKey = new SshTarget("127.0.0.1", sshd.port(), "deployer", sshd.hostKeyLine(), "other_key");
        assertThatThrownBy(() -> run(otherKey, dir.toString(), "touch ran", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.kind()).isEqualTo(SshFailure.Kind.AUTH_FAILED));
        SshTarget otherUser = new SshTarget("127.0.0.1", sshd.port(), "root", sshd.hostKeyLine(), null);
        assertThatThrownBy(() -> run(otherUser, dir.toString(), "touch ran", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.getMessage()).contains("'root'"));
        SshTarget traversal = new SshTarget("127.0.0.1", sshd.port(), "deployer", sshd.hostKeyLine(), "../id_deploy");
        assertThatThrownBy(() -> run(traversal, dir.toString(), "touch ran", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.kind()).isEqualTo(SshFailure.Kind.NO_CLIENT_KEY));
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void unreachableHostIsAConnectFailure() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        SshTarget nowhere = new SshTarget("127.0.0.1", closed, "deployer", sshd.hostKeyLine(), null);
        assertThatThrownBy(() -> run(nowhere, dir.toString(), "true", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(SshFailure.Kind.CONNECT_FAILED);
                    assertThat(f.getMessage()).contains("refused");
                });
    }

    @Test
    void nonUtf8BytesAndVeryLongLinesAreKeptReadable() throws Exception {
        Files.write(dir.resolve("bytes.bin"), new byte[]{'a', (byte) 0xff, (byte) 0xfe, 'b', '\r', '\n'});
        Files.writeString(dir.resolve("long.sh"), "cat bytes.bin\nhead -c 40000 /dev/zero | tr '\\0' x\necho\necho end\n");
        ExecResult r = run(target(), dir.toString(), "sh long.sh", Duration.ofSeconds(20), new Cancellation());
        assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.SUCCEEDED);
        assertThat(lines.get(0)).isEqualTo("STDOUT a\uFFFD\uFFFDb");
        assertThat(lines.stream().filter(l -> l.startsWith("STDOUT xxx")).mapToInt(l -> l.length() - 7).toArray())
                .containsExactly(16384, 16384, 40000 - 2 * 16384);
        assertThat(lines).last().isEqualTo("STDOUT end");
    }

    @Test
    void scanReturnsThePresentedKeyWithoutTrustingIt() throws Exception {
        HostKeys.HostKey scanned = ssh.scanHostKey("127.0.0.1", sshd.port());
        assertThat(scanned.fingerprint()).isEqualTo(HostKeys.of(sshd.hostKey.getPublic()).fingerprint()).startsWith("SHA256:");
        assertThat(HostKeys.parse(scanned.line()).fingerprint()).isEqualTo(scanned.fingerprint());
    }

    @Test
    void theNextDeploymentReusesTheAuthenticatedSessionWithAChannelOfItsOwn() throws Exception {
        Files.writeString(dir.resolve("first.sh"), "export LEAK=1\necho first\n");
        Files.writeString(dir.resolve("second.sh"), "echo \"second ${LEAK:-clean}\"\n");
        assertThat(run(target(), dir.toString(), "sh first.sh", Duration.ofSeconds(20), new Cancellation()).outcome())
                .isEqualTo(ExecResult.Outcome.SUCCEEDED);
        assertThat(run(target(), dir.toString(), "sh second.sh", Duration.ofSeconds(20), new Cancellation()).outcome())
                .isEqualTo(ExecResult.Outcome.SUCCEEDED);
        assertThat(sshd.authentications()).isEqualTo(1);
        assertThat(lines).containsExactly("STDOUT first", "STDOUT second clean");
    }

    @Test
    void aSessionTheServerDroppedIsReplacedAndTheCommandRunsOnce() throws Exception {
        Files.writeString(dir.resolve("count.sh"), "echo x >> runs\n");
        assertThat(run(target(), dir.toString(), "sh count.sh", Duration.ofSeconds(20), new Cancellation()).outcome())
                .isEqualTo(ExecResult.Outcome.SUCCEEDED);
        sshd.dropConnections(); // the pooled session is dead, whether or not the client has noticed yet
        assertThat(run(target(), dir.toString(), "sh count.sh", Duration.ofSeconds(20), new Cancellation()).outcome())
                .isEqualTo(ExecResult.Outcome.SUCCEEDED);
        assertThat(Files.readAllLines(dir.resolve("runs"))).hasSize(2);
        assertThat(sshd.authentications()).isEqualTo(2);
    }

    @Test
    void aChangedPinOrUserNeverReusesAPooledSession() throws Exception {
        assertThat(run(target(), dir.toString(), "echo ok", Duration.ofSeconds(20), new Cancellation()).outcome())
                .isEqualTo(ExecResult.Outcome.SUCCEEDED);
        String otherKey = HostKeys.of(TestSshServer.ecKeyPair().getPublic()).line();
        SshTarget repinned = new SshTarget("127.0.0.1", sshd.port(), "deployer", otherKey, null);
        assertThatThrownBy(() -> run(repinned, dir.toString(), "touch repinned", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.kind()).isEqualTo(SshFailure.Kind.HOST_KEY_MISMATCH));
        SshTarget otherUser = new SshTarget("127.0.0.1", sshd.port(), "intruder", sshd.hostKeyLine(), null);
        assertThatThrownBy(() -> run(otherUser, dir.toString(), "touch other-user", Duration.ofSeconds(20), new Cancellation()))
                .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.kind()).isEqualTo(SshFailure.Kind.AUTH_FAILED));
        assertThat(dir.resolve("repinned")).doesNotExist();
        assertThat(dir.resolve("other-user")).doesNotExist();
    }

    /** A second in-process server as the jump host (it forwards to loopback only), with the same client key. */
    TestSshServer jumpHost() throws Exception {
        return TestSshServer.start("jumper", userKey.getPublic()).allowForwardingToLoopback();
    }

    SshTarget through(TestSshServer jump, String jumpPin, String targetPin) {
        return new SshTarget("127.0.0.1", sshd.port(), "deployer", targetPin, null,
                new SshTarget("127.0.0.1", jump.port(), "jumper", jumpPin, null));
    }

    @Test
    void aJumpHostCarriesTheCommandWithBothPinsChecked() throws Exception {
        try (TestSshServer jump = jumpHost()) {
            SshTarget t = through(jump, jump.hostKeyLine(), sshd.hostKeyLine());
            ExecResult r = run(t, dir.toString(), "echo via-jump", Duration.ofSeconds(20), new Cancellation());
            assertThat(r.outcome()).isEqualTo(ExecResult.Outcome.SUCCEEDED);
            assertThat(lines).containsExactly("STDOUT via-jump");
            assertThat(jump.forwards()).isEqualTo(1);
            assertThat(jump.authentications()).isEqualTo(1);
            // the pooled session (and its tunnel) serves the next run without a new hop
            assertThat(run(t, dir.toString(), "echo again", Duration.ofSeconds(20), new Cancellation()).outcome())
                    .isEqualTo(ExecResult.Outcome.SUCCEEDED);
            assertThat(jump.forwards()).isEqualTo(1);
            assertThat(sshd.authentications()).isEqualTo(1);
        }
    }

    @Test
    void aWrongKeyAtEitherHopRefusesBeforeAnythingRunsAndSaysWhichHop() throws Exception {
        String stranger = HostKeys.of(TestSshServer.ecKeyPair().getPublic()).line();
        try (TestSshServer jump = jumpHost()) {
            assertThatThrownBy(() -> run(through(jump, stranger, sshd.hostKeyLine()), dir.toString(), "touch ran1",
                    Duration.ofSeconds(20), new Cancellation()))
                    .isInstanceOfSatisfying(SshFailure.class, f -> {
                        assertThat(f.kind()).isEqualTo(SshFailure.Kind.HOST_KEY_MISMATCH);
                        assertThat(f.getMessage()).startsWith("Host key mismatch for jump host 127.0.0.1:" + jump.port())
                                .contains(HostKeys.of(jump.hostKey.getPublic()).fingerprint());
                    });
            assertThat(jump.forwards()).isZero();
            assertThatThrownBy(() -> run(through(jump, jump.hostKeyLine(), stranger), dir.toString(), "touch ran2",
                    Duration.ofSeconds(20), new Cancellation()))
                    .isInstanceOfSatisfying(SshFailure.class, f -> {
                        assertThat(f.kind()).isEqualTo(SshFailure.Kind.HOST_KEY_MISMATCH);
                        assertThat(f.getMessage()).startsWith("Host key mismatch for 127.0.0.1:" + sshd.port()
                                + " (through jump host 127.0.0.1:" + jump.port() + ")")
                                .contains(HostKeys.of(sshd.hostKey.getPublic()).fingerprint());
                    });
            assertThatThrownBy(() -> run(through(jump, null, sshd.hostKeyLine()), dir.toString(), "touch ran3",
                    Duration.ofSeconds(20), new Cancellation()))
                    .isInstanceOfSatisfying(SshFailure.class, f -> {
                        assertThat(f.kind()).isEqualTo(SshFailure.Kind.NO_PINNED_KEY);
                        assertThat(f.getMessage()).startsWith("Jump host 127.0.0.1 has no pinned host key");
                    });
            assertThat(dir.resolve("ran1")).doesNotExist();
            assertThat(dir.resolve("ran2")).doesNotExist();
            assertThat(dir.resolve("ran3")).doesNotExist();
            assertThat(sshd.authentications()).isZero();
        }
    }

    @Test
    void aJumpHostThatMayNotForwardOrAChainIsRefusedClearly() throws Exception {
        try (TestSshServer closed = TestSshServer.start("jumper", userKey.getPublic())) {
            assertThatThrownBy(() -> run(through(closed, closed.hostKeyLine(), sshd.hostKeyLine()), dir.toString(), "touch ran",
                    Duration.ofSeconds(20), new Cancellation()))
                    .isInstanceOfSatisfying(SshFailure.class, f -> {
                        assertThat(f.kind()).isEqualTo(SshFailure.Kind.CONNECT_FAILED);
                        assertThat(f.getMessage()).contains("through jump host 127.0.0.1:" + closed.port())
                                .contains("the jump host did not connect to it");
                    });
            SshTarget inner = new SshTarget("127.0.0.1", closed.port(), "jumper", closed.hostKeyLine(), null,
                    new SshTarget("127.0.0.1", sshd.port(), "deployer", sshd.hostKeyLine(), null));
            SshTarget chain = new SshTarget("127.0.0.1", sshd.port(), "deployer", sshd.hostKeyLine(), null, inner);
            assertThatThrownBy(() -> run(chain, dir.toString(), "touch ran", Duration.ofSeconds(20), new Cancellation()))
                    .isInstanceOfSatisfying(SshFailure.class, f -> assertThat(f.getMessage()).contains("more than one hop"));
            assertThat(dir.resolve("ran")).doesNotExist();
        }
    }

    @Test
    void aScanThroughTheJumpHostLearnsTheTargetsKey() throws Exception {
        try (TestSshServer jump = jumpHost()) {
            HostKeys.HostKey k = ssh.scanHostKey("127.0.0.1", sshd.port(), new SshTarget("127.0.0.1", jump.port(), "jumper",
                    jump.hostKeyLine(), null));
            assertThat(k.fingerprint()).isEqualTo(HostKeys.of(sshd.hostKey.getPublic()).fingerprint());
            assertThat(jump.forwards()).isEqualTo(1);
        }
    }

    /** Test settings: the default key file and the per-server key folder. */
    record Settings(Path keyFile, Path keyDir) implements SshConfig {
        public Optional<Path> privateKeyFile() { return Optional.of(keyFile); }
        public Optional<String> privateKeyPassphrase() { return Optional.empty(); }
        public Optional<Path> keyDirectory() { return Optional.of(keyDir); }
        public Duration connectTimeout() { return Duration.ofSeconds(5); }
        public Duration authTimeout() { return Duration.ofSeconds(5); }
        public int maxLineLength() { return 16384; }
        public Duration sessionIdleTimeout() { return Duration.ofSeconds(60); }
    }

    @Test
    void failuresAreSaidInWordsNotInTheLibrarysOwnText() {
        // what MINA reports for a name that does not resolve: its future's text around the JDK's exception
        java.io.IOException unresolved = new java.io.IOException("DefaultConnectFuture[deployer@web1:22]: Failed "
                + "(UnresolvedAddressException) to execute: null", new java.nio.channels.UnresolvedAddressException());
        assertThat(SshFailures.classify(unresolved, "web1:22", false).getMessage())
                .isEqualTo("Cannot resolve the host name of web1:22");
        java.io.IOException closed = new java.io.IOException("DefaultConnectFuture[deployer@127.0.0.1:2222]: Failed to execute: null",
                new java.io.EOFException());
        assertThat(SshFailures.classify(closed, "127.0.0.1:2222", false).getMessage())
                .isEqualTo("SSH to 127.0.0.1:2222 failed: eof").doesNotContain("Future");
        assertThat(SshFailures.classify(new java.io.IOException("Connection reset by peer"), "127.0.0.1:2222", false).getMessage())
                .isEqualTo("SSH to 127.0.0.1:2222 failed: Connection reset by peer");
    }
}
