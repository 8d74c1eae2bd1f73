package io.triggerdeploy.ssh;

/** A connection problem before the command could run, with a message for the operator. */
public class SshFailure extends Exception {

    private final Kind kind;

    public SshFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** What went wrong. */
    public enum Kind { NO_PINNED_KEY, HOST_KEY_MISMATCH, CONNECT_FAILED, AUTH_FAILED, NO_CLIENT_KEY, TIMEOUT, PROTOCOL }

    public Kind kind() {
        return kind;
    }
}
