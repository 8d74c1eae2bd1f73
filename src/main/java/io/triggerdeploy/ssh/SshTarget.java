package io.triggerdeploy.ssh;

/**
 * Where and as whom to connect, with the pinned host key line and an optional per-server key file name; {@code jump}
 * is the server the connection goes through (its own pinned key and client key), or null for a direct connection.
 */
public record SshTarget(String host, int port, String user, String pinnedHostKey, String keyRef, SshTarget jump) {

    public SshTarget(String host, int port, String user, String pinnedHostKey, String keyRef) {
        this(host, port, user, pinnedHostKey, keyRef, null);
    }

    /** How messages name this hop: {@code host:port}, or {@code host:port (through jump host j:22)}. */
    public String describe() {
        return host + ":" + port + (jump == null ? "" : " (through jump host " + jump.host() + ":" + jump.port() + ")");
    }
}
