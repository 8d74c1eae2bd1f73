package io.triggerdeploy.server;

import io.triggerdeploy.ssh.SshTarget;

/**
 * A server due for its reachability check: where to connect and as whom, the host key pinned for it (null: none yet),
 * its client key reference (null: the service's key), and the jump host it is reached through (null: direct).
 */
public record ReachabilityTarget(long id, String host, int port, String user, String hostKey, String keyRef, SshTarget jump) {

    /** Where the check logs in: the server as a deployment reaches it. */
    public SshTarget target() {
        return new SshTarget(host, port, user, hostKey, keyRef, jump);
    }
}
