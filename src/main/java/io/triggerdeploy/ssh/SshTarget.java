package io.triggerdeploy.ssh;

/** Where and as whom to connect, with the pinned host key line and an optional per-server key file name. */
public record SshTarget(String host, int port, String user, String pinnedHostKey, String keyRef) {
}
