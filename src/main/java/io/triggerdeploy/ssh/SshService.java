package io.triggerdeploy.ssh;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.SocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The SSH client (Apache MINA SSHD). Every connection verifies the server's key against the key pinned on
 * the server record: there is no "accept new keys" mode, no ~/.ssh/config, no default identities, no
 * password authentication. All methods block; call them from a worker or runner thread, never an event loop.
 */
@ApplicationScoped
public class SshService {

    private static final Logger LOG = Logger.getLogger(SshService.class);
    private static final AttributeRepository.AttributeKey<PublicKey> PINNED = new AttributeRepository.AttributeKey<>();
    private static final AttributeRepository.AttributeKey<AtomicReference<PublicKey>> PRESENTED =
            new AttributeRepository.AttributeKey<>();
    private static final Pattern KEY_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final SshConfig config;
    private final SessionPool pool;
    private SshClient client;

    public SshService(SshConfig config) {
        this.config = config;
        this.pool = new SessionPool(config.sessionIdleTimeout());
    }

    @PostConstruct
    public void start() {
        HostKeys.init();
        SshClient c = SshClient.setUpDefaultClient();
        c.setServerKeyVerifier(SshService::verifyServerKey);
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        c.setForwardingFilter(new JumpForwarding());
        c.setKeyExchangeFactories(KeyExchanges.factories());
        c.start();
        client = c;
    }

    @PreDestroy
    public void stop() {
        if (client != null) {
            client.stop();
        }
    }

    /** Whether a per-server key reference is a plain file name (no path tricks). */
    public static boolean isValidKeyRef(String ref) {
        return ref != null && KEY_REF.matcher(ref).matches();
    }

    /** Connects far enough to learn the host key the server presents, trusting nothing. */
    public HostKeys.HostKey scanHostKey(String host, int port) throws SshFailure {
        return scanHostKey(host, port, null);
    }

    /**
     * Like {@link #scanHostKey(String, int)}, through {@code jump} when it is not null: the jump host is reached with
     * its pinned key checked and its client key, and only the target's key is learned untrusted.
     */
    public HostKeys.HostKey scanHostKey(String host, int port, SshTarget jump) throws SshFailure {
        long deadline = System.nanoTime() + config.connectTimeout().plus(config.authTimeout()).toNanos();
        Tunnel tunnel = null;
        String label = jump == null ? host + ":" + port
                : new SshTarget(host, port, "scan", null, null, jump).describe();
        AtomicReference<PublicKey> presented = new AtomicReference<>();
        Map<AttributeRepository.AttributeKey<?>, Object> ctx = new HashMap<>();
        ctx.put(PRESENTED, presented);
        try {
            tunnel = jump == null ? null : tunnel(jumpHop(jump), host, port, deadline);
            String h = tunnel == null ? host : tunnel.address().getHostName();
            int p = tunnel == null ? port : tunnel.address().getPort();
            try (ClientSession session = connect("scan", h, p, ctx, min(config.connectTimeout(), remaining(deadline)))) {
                session.auth().verify(config.authTimeout()); // fails: the verifier refuses every key in scan mode
            }
        } catch (IOException e) {
            if (presented.get() == null) {
                throw SshFailures.classify(e, label, tunnel != null);
            }
        } finally {
            if (tunnel != null) {
                tunnel.close();
            }
        }
        if (presented.get() == null) {
            throw new SshFailure(SshFailure.Kind.PROTOCOL, "The server at " + label + " presented no host key");
        }
        return HostKeys.of(presented.get());
    }

    /**
     * Runs {@code remoteCommand} and streams its output. Connection problems (refused, unpinned or changed host
     * key, rejected client key) are reported as {@link SshFailure} before anything runs remotely.
     */
    public ExecResult exec(SshTarget target, String remoteCommand, LineSink sink, Duration timeout, Cancellation cancel)
            throws SshFailure {
        return exec(target, remoteCommand, null, sink, timeout, cancel);
    }

    /** Like {@link #exec(SshTarget, String, LineSink, Duration, Cancellation)}, sending {@code stdin} (then EOF) to the command. */
    public ExecResult exec(SshTarget target, String remoteCommand, byte[] stdin, LineSink sink, Duration timeout,
                           Cancellation cancel) throws SshFailure {
        Hop hop = targetHop(target);
        Hop via = target.jump() == null ? null : jumpHop(target.jump()); // both pins checked before anything connects
        String key = SessionPool.key(target, hop.identities())
                + (via == null ? "" : "|via|" + SessionPool.key(via.target(), via.identities()));
        long deadline = System.nanoTime() + timeout.toNanos();
        if (cancel.isCancelled()) {
            return new ExecResult(ExecResult.Outcome.CANCELLED, null, "Cancelled before it started");
        }
        try {
            SessionPool.Lease pooled = pool.take(key);
            if (pooled != null) {
                ExecResult r = runOn(pooled, remoteCommand, stdin, sink, timeout, deadline, cancel);
                if (r != null) {
                    return r;
                }
                // the pooled session had gone away before the command started: once more, on a fresh session
            }
            SessionPool.Lease fresh = pool.add(key, open(hop, via, deadline));
            ExecResult r = runOn(fresh, remoteCommand, stdin, sink, timeout, deadline, cancel);
            if (r == null) {
                throw new IOException("The SSH session closed before the command started");
            }
            return r;
        } catch (IOException e) {
            if (cancel.isCancelled()) {
                return new ExecResult(ExecResult.Outcome.CANCELLED, null, "Cancelled");
            }
            if (System.nanoTime() >= deadline) {
                return new ExecResult(ExecResult.Outcome.TIMED_OUT, null, "Timed out after " + timeout.toSeconds() + " s");
            }
            throw SshFailures.classify(e, target.describe(), target.jump() != null);
        }
    }

    /** Logs in as a deployment would (pins, client key) and closes at once: runs nothing, not even a forced command. */
    public void verifyLogin(SshTarget target) throws SshFailure {
        Hop hop = targetHop(target);
        Hop via = target.jump() == null ? null : jumpHop(target.jump());
        Duration budget = config.connectTimeout().plus(config.authTimeout()).multipliedBy(via == null ? 1 : 2);
        try (ClientSession session = open(hop, via, System.nanoTime() + budget.toNanos())) {
            session.getSessionId(); // authenticated at every hop; nothing to run
        } catch (IOException e) {
            throw SshFailures.classify(e, target.describe(), target.jump() != null);
        }
    }

    /** Runs on a session of the pool; null when the session was found dead before the command could start. */
    private ExecResult runOn(SessionPool.Lease lease, String remoteCommand, byte[] stdin, LineSink sink, Duration timeout, long deadline,
                             Cancellation cancel) throws IOException {
        boolean broken = true;
        try {
            ExecResult r = run(lease.session, remoteCommand, stdin, sink, timeout, deadline, cancel);
            broken = false;
            return r;
        } catch (StaleSession e) {
            return null;
        } finally {
            pool.release(lease);
            if (broken) {
                pool.drop(lease);
            }
        }
    }

    /**
     * Connects (through the jump host when the target names one), checks the presented host key against the pin and
     * authenticates with the client key; a session comes back only when all of it succeeded at every hop. The caller
     * closes it; closing it also closes its tunnel and the jump host's session.
     */
    private ClientSession open(Hop hop, Hop via, long deadline) throws IOException, SshFailure {
        if (via == null) {
            return login(hop.target().host(), hop.target().port(), hop, deadline);
        }
        Tunnel tunnel = tunnel(via, hop.target().host(), hop.target().port(), deadline);
        try {
            ClientSession session = login(tunnel.address().getHostName(), tunnel.address().getPort(), hop, deadline);
            session.addCloseFutureListener(f -> tunnel.close());
            tunnel.stopListening(); // the connection through it stays; no other local process can use the port now
            return session;
        } catch (IOException | SshFailure | RuntimeException e) {
            tunnel.close();
            throw e;
        }
    }

    /**
     * One hop of a connection: where and as whom, its pinned key and client keys (each read once per connection), how
     * messages name it, and whether it is reached through a tunnel.
     */
    private record Hop(SshTarget target, HostKeys.HostKey pin, List<KeyPair> identities, String label, boolean tunnelled) {
    }

    /** The server itself as a hop: its pin and client keys, through its jump host when it names one. */
    private Hop targetHop(SshTarget target) throws SshFailure {
        return new Hop(target, HostKeys.pinned(target, "Server "), ClientKeys.load(config, target.keyRef()), target.describe(),
                target.jump() != null);
    }

    /** The jump host as a hop; one hop only: a jump host that names a jump host of its own is refused. */
    private Hop jumpHop(SshTarget jump) throws SshFailure {
        if (jump.jump() != null) {
            throw new SshFailure(SshFailure.Kind.PROTOCOL, "Jump host " + jump.host() + " itself names a jump host; "
                    + "chains of more than one hop are not supported");
        }
        return new Hop(jump, HostKeys.pinned(jump, "Jump host "), ClientKeys.load(config, jump.keyRef()), "jump host " + jump.host() + ":"
                + jump.port(), false);
    }

    /** An authenticated session on the jump host and a forward from an ephemeral loopback port through it to {@code host:port}. */
    private Tunnel tunnel(Hop jump, String host, int port, long deadline) throws IOException, SshFailure {
        ClientSession session = login(jump.target().host(), jump.target().port(), jump, deadline);
        try {
            ExplicitPortForwardingTracker forward = session.createLocalPortForwardingTracker(
                    new SshdSocketAddress(SshdSocketAddress.LOCALHOST_IPV4, 0), new SshdSocketAddress(host, port));
            return new Tunnel(session, forward);
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw new SshFailure(SshFailure.Kind.PROTOCOL, "The " + jump.label() + " did not open a tunnel to " + host + ":"
                    + port + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** A jump host's session and the loopback forward through it; closing it closes both. */
    private record Tunnel(ClientSession session, ExplicitPortForwardingTracker forward) {
        SshdSocketAddress address() {
            return forward.getBoundAddress();
        }

        void stopListening() {
            try {
                forward.close();
            } catch (IOException e) {
                LOG.debugf("Closing a jump host forward: %s", e.getMessage());
            }
        }

        void close() {
            stopListening();
            session.close(true);
        }
    }

    /** Connects to {@code host:port} (the hop itself, or the loopback end of its tunnel), checks its pin and authenticates. */
    private ClientSession login(String host, int port, Hop hop, long deadline) throws IOException, SshFailure {
        String user = hop.target().user();
        String label = hop.label();
        HostKeys.HostKey pinned = hop.pin();
        AtomicReference<PublicKey> presented = new AtomicReference<>();
        Map<AttributeRepository.AttributeKey<?>, Object> ctx = new HashMap<>();
        ctx.put(PINNED, pinned.key());
        ctx.put(PRESENTED, presented);
        ClientSession session;
        try {
            session = connect(user, host, port, ctx, min(config.connectTimeout(), remaining(deadline)));
        } catch (IOException e) {
            throw new SshFailures.HopFailure(label, hop.tunnelled(), e); // classified by the caller, after its deadline and cancel checks
        }
        try {
            hop.identities().forEach(session::addPublicKeyIdentity);
            session.auth().verify(min(config.authTimeout(), remaining(deadline)));
            return session;
        } catch (IOException e) {
            boolean open = session.isOpen();
            session.close(true);
            if (presented.get() != null && !KeyUtils.compareKeys(presented.get(), pinned.key())) {
                throw new SshFailure(SshFailure.Kind.HOST_KEY_MISMATCH, "Host key mismatch for " + label
                        + ": pinned " + pinned.fingerprint() + ", server presented "
                        + KeyUtils.getFingerPrint(presented.get()) + ". The command was not run.");
            }
            if (open || presented.get() != null) {
                throw new SshFailure(SshFailure.Kind.AUTH_FAILED, "Authentication as '" + user + "' on "
                        + label + " failed: the server did not accept the client key");
            }
            throw SshFailures.classify(e, label, hop.tunnelled());
        }
    }

    /** Runs the command on an authenticated session, streaming its output, until it exits, times out or is cancelled. */
    private ExecResult run(ClientSession session, String remoteCommand, byte[] stdin, LineSink sink, Duration timeout, long deadline,
                           Cancellation cancel) throws IOException {
        ChannelExec opened;
        try {
            opened = session.createExecChannel(remoteCommand);
        } catch (IllegalStateException | IOException e) {
            if (!session.isOpen() || session.isClosing()) {
                throw new StaleSession(e); // the pooled session was closing under us: nothing ran
            }
            throw e;
        }
        try (ChannelExec channel = opened;
             LineSplitter out = new LineSplitter(sink, LineSink.Stream.STDOUT, config.maxLineLength());
             LineSplitter err = new LineSplitter(sink, LineSink.Stream.STDERR, config.maxLineLength())) {
            channel.setOut(out);
            channel.setErr(err);
            if (stdin != null) {
                channel.setIn(new java.io.ByteArrayInputStream(stdin));
            }
            try {
                channel.open().verify(min(config.connectTimeout(), remaining(deadline)));
            } catch (IOException e) {
                if (!session.isOpen() || session.isClosing()) {
                    throw new StaleSession(e); // nothing ran: the session was gone before the channel opened
                }
                throw e;
            }
            cancel.onCancel(() -> channel.close(true));
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), remaining(deadline));
            boolean timedOut = events.contains(ClientChannelEvent.TIMEOUT);
            if (timedOut || cancel.isCancelled()) {
                channel.close(true);
            }
            out.close();
            err.close();
            if (cancel.isCancelled()) {
                return new ExecResult(ExecResult.Outcome.CANCELLED, null, "Cancelled while running");
            }
            if (timedOut) {
                return new ExecResult(ExecResult.Outcome.TIMED_OUT, null,
                        "Timed out after " + timeout.toSeconds() + " s; the channel was closed");
            }
            return ExecResult.of(channel);
        }
    }

    /** The session closed under a channel that had not opened yet, so the command never started. */
    private static final class StaleSession extends IOException {
        StaleSession(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private ClientSession connect(String user, String host, int port, Map<AttributeRepository.AttributeKey<?>, Object> ctx,
                                  Duration timeout) throws IOException {
        return client.connect(user, host, port, AttributeRepository.ofAttributesMap(ctx), null)
                .verify(timeout).getSession();
    }

    private static boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        AttributeRepository ctx = session.getConnectionContext();
        if (ctx == null) {
            return false;
        }
        AtomicReference<PublicKey> presented = ctx.getAttribute(PRESENTED);
        if (presented != null) {
            presented.set(key);
        }
        PublicKey pinned = ctx.getAttribute(PINNED);
        return pinned != null && KeyUtils.compareKeys(pinned, key);
    }

    private static Duration remaining(long deadline) {
        long nanos = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(1_000_000, nanos));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
