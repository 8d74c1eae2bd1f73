package io.triggerdeploy.server;

/** A server due for its reachability check: where to connect, and the host key pinned for it (null: none yet). */
public record ReachabilityTarget(long id, String host, int port, String hostKey) {
}
