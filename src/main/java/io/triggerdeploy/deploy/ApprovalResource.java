package io.triggerdeploy.deploy;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Keyset;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** What waits for the caller's approval: deployments others requested that the caller has not decided on yet. */
@Path("/api/approvals")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalResource {

    private final Approvals approvals;
    private final SecurityIdentity identity;

    public ApprovalResource(Approvals approvals, SecurityIdentity identity) {
        this.approvals = approvals;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listPendingApprovals")
    public Uni<List<DeploymentView>> waiting(@QueryParam("limit") @DefaultValue("50") int limit) {
        Keyset.limit(limit, 200);
        return approvals.waitingFor(Callers.of(identity), limit);
    }
}
