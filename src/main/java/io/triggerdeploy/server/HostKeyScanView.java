package io.triggerdeploy.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What a host presents, next to what is pinned; nothing is trusted by a scan. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostKeyScanView(String hostKey, String fingerprint, String pinnedFingerprint, boolean matchesPinned) {
}
