package io.triggerdeploy.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.ssh.HostKeys;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** A server as the API shows it, with the pinned key's fingerprint. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerView(long id, String name, String alias, String host, int port, String user, String path,
                         String command, String environment, String description, int timeoutSeconds, boolean active,
                         String hostKey, String hostKeyFingerprint, String privateKeyRef,
                         OffsetDateTime createdAt, OffsetDateTime updatedAt, String reachability, String reachabilityError,
                         OffsetDateTime reachabilityCheckedAt, OffsetDateTime lastSeenAt,
                         List<ParameterSpec> parameters, List<String> secretNames, StepsSpec steps, Long jumpHostId,
                         String jumpHost, String queuePolicy, Map<String, String> labels) {

    /** {@code jumpAlias}: the alias of the server's jump host (null when it has none). */
    static ServerView of(Server s, String jumpAlias) {
        String fp = null;
        if (s.hostKey != null) {
            try {
                fp = HostKeys.parse(s.hostKey).fingerprint();
            } catch (IllegalArgumentException e) {
                fp = null;
            }
        }
        return new ServerView(s.id, s.name, s.alias, s.host, s.port, s.user, s.path, s.command, s.environment,
                s.description, s.timeoutSeconds, s.active, s.hostKey, fp, s.privateKeyRef, s.createdAt, s.updatedAt,
                s.reachability, s.reachabilityError, s.reachabilityCheckedAt, s.lastSeenAt,
                Parameters.read(s.parameters), List.copyOf(Parameters.readMap(s.secretVariables).keySet()),
                StepsSpec.read(s.steps), s.jumpServerId, s.jumpServerId == null ? null : jumpAlias, s.queuePolicy,
                ServerLabels.read(s.labels));
    }
}
