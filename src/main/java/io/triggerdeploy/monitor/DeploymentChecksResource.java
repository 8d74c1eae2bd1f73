package io.triggerdeploy.monitor;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** The service checks run right after a deployment finished (the services linked to its server). */
@Path("/api/deployments/{id}/service-checks")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentChecksResource {

    private final DeploymentService deployments;
    private final WatchService checks;

    private final AccessService access;
    private final io.quarkus.security.identity.SecurityIdentity identity;

    public DeploymentChecksResource(DeploymentService deployments, WatchService checks,
                                    AccessService access, io.quarkus.security.identity.SecurityIdentity identity) {
        this.deployments = deployments;
        this.checks = checks;
        this.access = access;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @org.eclipse.microprofile.openapi.annotations.Operation(operationId = "listDeploymentServiceChecks",
            summary = "The service checks run right after this deployment finished")
    public Uni<List<WatchView.Check>> serviceChecks(@PathParam("id") long id) {
        return access.of(identity).chain(a -> deployments.get(id, a)).chain(d -> checks.checksOfDeployment(id));
    }
}
