package io.triggerdeploy.rollout;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** {@code GET /api/fleet}: which release runs on which server of a group, an environment or a selector. */
@Path("/api/fleet")
@Produces(MediaType.APPLICATION_JSON)
public class FleetResource {

    private final FleetService fleet;
    private final AccessService access;
    private final SecurityIdentity identity;

    public FleetResource(FleetService fleet, AccessService access, SecurityIdentity identity) {
        this.fleet = fleet;
        this.access = access;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getFleet", summary = "What runs where",
            description = "The release live on each server of a group, an environment or a label selector (given together, "
                    + "each narrows the others), a newer attempt where there is one, and whether they agree.")
    public Uni<FleetView> get(@QueryParam("group") @Parameter(description = "A group's name or id",
                                      schema = @Schema(type = SchemaType.STRING, maxLength = 64)) String group,
                              @QueryParam("environment") @Parameter(description = "An environment's name",
                                      schema = @Schema(type = SchemaType.STRING, maxLength = 64)) String environment,
                              @QueryParam("selector") @Parameter(description = "A label selector, e.g. role=web,region!=us",
                                      schema = @Schema(type = SchemaType.STRING, maxLength = 500)) String selector) {
        FleetService.Target target = new FleetService.Target(group, environment, selector);
        return access.of(identity).chain(a -> fleet.view(target, a));
    }
}
