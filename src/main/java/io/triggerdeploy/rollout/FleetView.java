package io.triggerdeploy.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.deploy.DeploymentStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Which release runs on which server of a set (a group, an environment, a selector), and whether they agree:
 * "converged on v1.4.2" or "mixed: 9 × v1.4.2, 3 × v1.4.1". Servers the caller may not see are counted, never named.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FleetView(List<Member> servers,
                        @Schema(description = "Servers of the set the caller may not see (left out when none)") Integer hiddenServers,
                        @Schema(description = "Each release live on the servers shown, most servers first") List<Version> versions,
                        @Schema(description = "Servers shown where nothing has succeeded yet (left out when none)") Integer notDeployed,
                        @Schema(description = "Every server shown runs the same release") boolean converged,
                        @Schema(description = "In words: converged on v1.4.2, or mixed: 9 × v1.4.2, 3 × v1.4.1") String summary) {

    /** One server: the release live there (its newest successful deployment) and a newer attempt, if there is one. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "FleetMember")
    public record Member(long serverId, String server, String environment,
                         @Schema(description = "The REF of the live deployment (left out when it had none, or nothing succeeded)")
                         String ref,
                         @Schema(description = "The live deployment") Long deploymentId, OffsetDateTime deployedAt,
                         @Schema(description = "A deployment newer than the live one: failed, cancelled, queued, running")
                         Attempt latest) {
    }

    /** A deployment newer than the live one. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "FleetAttempt")
    public record Attempt(long deploymentId, @Schema(implementation = DeploymentStatus.class) String status, String ref) {
    }

    /** A release and how many of the servers shown run it ({@code ref} left out for deployments without a REF). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "FleetVersion")
    public record Version(String ref, int servers) {
    }
}
