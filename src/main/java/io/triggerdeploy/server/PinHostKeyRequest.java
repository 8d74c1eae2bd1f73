package io.triggerdeploy.server;

/**
 * Pins a host key: either the key line itself ({@code host_key}, e.g. from the host's
 * /etc/ssh/ssh_host_ed25519_key.pub or a known_hosts line), or the {@code fingerprint} an admin saw in a
 * scan, which is checked against a fresh scan before it is pinned.
 */
public record PinHostKeyRequest(@jakarta.validation.constraints.Size(max = 16384) String hostKey,
                                @jakarta.validation.constraints.Size(max = 128) String fingerprint) {
}
