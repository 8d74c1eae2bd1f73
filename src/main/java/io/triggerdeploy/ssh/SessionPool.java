package io.triggerdeploy.ssh;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Authenticated SSH sessions kept for the next deployment to the same place, so it opens a channel instead of
 * doing a key exchange, a host-key check and a publickey authentication again. A session is found only under the
 * key it was opened with: host, port, user, the pinned host key and the fingerprints of the client keys as they
 * are on disk now, so a changed server record, pin or key file never reuses it. Each deployment gets its own
 * exec channel (no shell, so nothing of one run's environment reaches the next). Sessions idle longer than the
 * idle timeout are closed at the next use of the pool, and every session closes with the client at shutdown.
 */
final class SessionPool {

    private static final Logger LOG = Logger.getLogger(SessionPool.class);

    private final Map<String, Lease> sessions = new ConcurrentHashMap<>();
    private final Duration idle;

    SessionPool(Duration idle) {
        this.idle = idle;
    }

    /** A pooled session and its use: deployments running on it now, and when it was last released. */
    static final class Lease {
        final ClientSession session;
        final String key;
        final AtomicInteger inUse = new AtomicInteger();
        volatile long idleSince = System.nanoTime();
        final boolean pooled;

        Lease(ClientSession session, String key, boolean pooled) {
            this.session = session;
            this.key = key;
            this.pooled = pooled;
        }

        boolean usable() {
            return session.isOpen() && !session.isClosing() && session.isAuthenticated();
        }
    }

    boolean enabled() {
        return !idle.isZero() && !idle.isNegative();
    }

    static String key(SshTarget t, List<KeyPair> identities) {
        return t.host() + "|" + t.port() + "|" + t.user() + "|" + t.pinnedHostKey().strip() + "|"
                + identities.stream().map(k -> KeyUtils.getFingerPrint(k.getPublic())).sorted().collect(Collectors.joining(","));
    }

    /** A live pooled session for {@code key}, taken for one run; null when there is none. */
    Lease take(String key) {
        sweep();
        Lease l = sessions.get(key);
        if (l == null) {
            return null;
        }
        l.inUse.incrementAndGet();
        if (!l.usable()) {
            release(l);
            drop(l);
            return null;
        }
        return l;
    }

    /** Keeps a freshly opened session for later runs (unless another run pooled one for the same key meanwhile). */
    Lease add(String key, ClientSession session) {
        Lease fresh = new Lease(session, key, enabled());
        fresh.inUse.incrementAndGet();
        if (fresh.pooled && sessions.putIfAbsent(key, fresh) == null) {
            session.addCloseFutureListener(f -> sessions.remove(key, fresh));
            return fresh;
        }
        Lease own = new Lease(session, key, false);
        own.inUse.incrementAndGet();
        return own;
    }

    /** The run is over; a session that is not pooled closes now. */
    void release(Lease l) {
        l.idleSince = System.nanoTime();
        if (l.inUse.decrementAndGet() <= 0 && !l.pooled) {
            close(l);
        }
    }

    /** The session broke: it leaves the pool and closes once no run uses it. */
    void drop(Lease l) {
        sessions.remove(l.key, l);
        if (l.inUse.get() <= 0) {
            close(l);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Lease l : sessions.values()) {
            if (l.inUse.get() == 0 && (now - l.idleSince > idle.toNanos() || !l.usable())) {
                drop(l);
            }
        }
    }

    private static void close(Lease l) {
        try {
            l.session.close();
        } catch (IOException e) {
            LOG.debugf("Closing an SSH session: %s", e.getMessage());
        }
    }
}
