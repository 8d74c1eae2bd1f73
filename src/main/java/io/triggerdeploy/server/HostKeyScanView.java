package io.triggerdeploy.server;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What a host presents, next to what is pinned; nothing is trusted by a scan. */
@RegisterForReflection
public record HostKeyScanView(String hostKey, String fingerprint, String pinnedFingerprint, boolean matchesPinned) {
}
