package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.deploy.DeploymentFigures;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/analytics?days=30}: deployments per day by status, success rate, mean and p95 duration per day,
 * per server and per user, grouped failure reasons and busiest hours (UTC); {@code server} (an alias) narrows it
 * to one server.
 */
@Path("/api/analytics")
@RolesAllowed(Role.VIEWER_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class AnalyticsResource {

    private final AnalyticsService analytics;

    private final AccessService access;
    private final io.quarkus.security.identity.SecurityIdentity identity;

    public AnalyticsResource(AnalyticsService analytics, AccessService access,
                             io.quarkus.security.identity.SecurityIdentity identity) {
        this.analytics = analytics;
        this.access = access;
        this.identity = identity;
    }

    @GET
    @org.eclipse.microprofile.openapi.annotations.Operation(operationId = "getAnalytics", summary = "Deployment analytics over whole UTC days",
            description = DeploymentFigures.DEFINITION)
    public Uni<AnalyticsReport> report(@QueryParam("days") @DefaultValue("30") int days, @QueryParam("server") String server) {
        return access.of(identity).chain(a -> analytics.report(days, server, a));
    }
}
