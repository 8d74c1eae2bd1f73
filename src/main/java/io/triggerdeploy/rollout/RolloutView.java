package io.triggerdeploy.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A rollout as the API shows it. {@code waves} lists the servers of each wave by alias (a viewer sees only the servers
 * they may view; {@code hidden_hosts} counts the others); {@code hosts} says where each one is. {@code gate} says in words
 * what the next wave waits for; {@code accepted_failures} are failures someone resumed past (the budget grows by them); {@code paused_reason} why nothing new starts. {@code settings} holds the gates and
 * options it was created with (soak, error pattern, promote, before/after commands, ...). A dry run has no id and no status yet.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutView(Long id, @Schema(implementation = RolloutStatus.class) String status, Target target, String strategy,
                          String ref, Map<String, String> parameters, Integer currentWave, int failures, int maxFailures,
                          Integer acceptedFailures, int maxInFlight, String onBreach, Map<String, Object> settings, List<List<String>> waves,
                          List<Host> hosts, Integer hiddenHosts, List<String> notAllowed, String gate, String pausedReason,
                          Approval approval, String note, String createdBy, OffsetDateTime createdAt, OffsetDateTime finishedAt,
                          Map<String, String> links) {

    /** What the rollout targets, as it was asked for. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "RolloutTarget")
    public record Target(String group, String environment, String selector) {
    }

    /**
     * One server of the rollout: its wave (from 1), its current deployment and status ({@code PENDING} before it starts,
     * {@code SKIPPED} when skipped, {@code REFUSED} when its server refused the deployment, the deployment's status
     * otherwise), the attempts made, and the deployment that rolled it back.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "RolloutHost")
    public record Host(String server, long serverId, int wave, Long deploymentId, String status, int attempts, String detail,
                       OffsetDateTime startedAt, OffsetDateTime finishedAt, Long rollbackDeploymentId) {
    }

    /** The environment's approvals, taken once for the whole rollout. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "RolloutApproval")
    public record Approval(int required, int given, OffsetDateTime expiresAt, List<Decision> decisions) {
    }

    /** One person's approval or rejection of a rollout. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "RolloutDecision")
    public record Decision(String username, String decision, String comment, OffsetDateTime at) {
    }

    static Map<String, String> links(long id) {
        String self = "/api/rollouts/" + id;
        return Map.of("self", self);
    }
}
