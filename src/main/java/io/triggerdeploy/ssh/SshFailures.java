package io.triggerdeploy.ssh;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/** Turns what the SSH library threw while connecting into an {@link SshFailure} that says, in words, what failed. */
final class SshFailures {

    private static final Logger LOG = Logger.getLogger(SshFailures.class);

    private SshFailures() {
    }

    /** A connection failure at one hop, carrying how to name it. */
    static final class HopFailure extends IOException {
        final String where;
        final boolean tunnelled;

        HopFailure(String where, boolean tunnelled, IOException cause) {
            super(cause.getMessage(), cause);
            this.where = where;
            this.tunnelled = tunnelled;
        }
    }

    /**
     * What went wrong, in words (never the client library's own text, which names its internal futures); {@code where}
     * names the hop ({@code host:port}, with its jump host), {@code tunnelled}: reached through one.
     */
    static SshFailure classify(IOException e, String where, boolean tunnelled) {
        if (e instanceof HopFailure hop && !hop.where.equals(where)) {
            return classify(hop, hop.where, hop.tunnelled);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return new SshFailure(SshFailure.Kind.CONNECT_FAILED, "Connection to " + where + " refused");
            }
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return new SshFailure(SshFailure.Kind.CONNECT_FAILED, "Cannot resolve the host name of " + where);
            }
            if (c instanceof NoRouteToHostException) {
                return new SshFailure(SshFailure.Kind.CONNECT_FAILED, "No route to host " + where);
            }
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (msg.toLowerCase(Locale.ROOT).contains("timeout") || msg.toLowerCase(Locale.ROOT).contains("timed out")) {
            return new SshFailure(SshFailure.Kind.TIMEOUT, "Connecting to " + where + " timed out");
        }
        LOG.debugf(e, "SSH failure for %s", where);
        if (tunnelled) {
            // the tunnel closes at once when the jump host cannot reach the target (or may not forward to it)
            return new SshFailure(SshFailure.Kind.CONNECT_FAILED, "Connection to " + where + " failed: the jump host "
                    + "did not connect to it (refused, unreachable, or forwarding not allowed there)");
        }
        return new SshFailure(SshFailure.Kind.PROTOCOL, "SSH to " + where + " failed: " + inWords(e));
    }

    /** The deepest cause as a person reads it: its message unless it is the library's internal text, else its kind. */
    private static String inWords(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        if (msg == null || msg.isBlank() || msg.contains("Future[") || msg.contains("Future@") || msg.endsWith(": null")) {
            String kind = root.getClass().getSimpleName().replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2");
            return kind.toLowerCase(Locale.ROOT);
        }
        return msg;
    }
}
