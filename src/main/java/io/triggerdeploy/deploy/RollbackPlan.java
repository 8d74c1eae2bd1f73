package io.triggerdeploy.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What a rollback of a server would do, before anyone confirms it: the deployment it rolls back from, the one it goes
 * to by default ({@code to}: absent when there is none), and the earlier successes one may pick instead.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "What a rollback of the server would do: from which deployment, to which by default, and the earlier successes to pick from")
public record RollbackPlan(String server, Candidate from, Candidate to, List<Candidate> candidates) {

    /** One deployment of the server: its id, version (absent when the server has no REF), end and who asked for it. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Candidate(long deploymentId, String ref, OffsetDateTime finishedAt, String requestedBy, String status) {
    }
}
