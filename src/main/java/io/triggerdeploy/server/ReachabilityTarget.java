package io.triggerdeploy.server;

import io.triggerdeploy.ssh.SshTarget;

/**
 * A server due for its reachability check: where to connect, the host key pinned for it (null: none yet), and the
 * jump host it is reached through (null: direct).
 */
public record ReachabilityTarget(long id, String host, int port, String hostKey, SshTarget jump) {
}
