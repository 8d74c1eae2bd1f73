package io.triggerdeploy.analytics;

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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import java.util.List;

/** {@code GET /api/insight}: the four DORA keys over a period, from this service's own rows. */
@Path("/api/insight")
@RolesAllowed(Role.VIEWER_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class InsightResource {

    private final InsightService insight;
    private final ReleaseMatrix matrix;
    private final AccessService access;
    private final SecurityIdentity identity;

    public InsightResource(InsightService insight, ReleaseMatrix matrix, AccessService access, SecurityIdentity identity) {
        this.insight = insight;
        this.matrix = matrix;
        this.access = access;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "getInsight", summary = "The four DORA keys, with their bands",
            description = "Deployment frequency, lead time for changes (from the commit), change failure rate and time to restore over "
                    + "[from, to) (default the last 30 days), for an environment, a server and/or a group, over the servers the caller may see; "
                    + "each with its band (elite, high, medium, low) after the Accelerate State of DevOps Report 2023, and the "
                    + "definitions used.")
    public Uni<InsightReport> report(@QueryParam("from") @Parameter(description = "A date (2026-11-01) or date-time with offset") String from,
                                     @QueryParam("to") @Parameter(description = "A date (its end) or date-time with offset; default now") String to,
                                     @QueryParam("environment") String environment, @QueryParam("server") String server,
                                     @QueryParam("group") @Parameter(description = "A group of servers (name or id)") String group) {
        return access.of(identity).chain(a -> insight.report(from, to, environment, server, group, a));
    }

    @GET
    @Path("releases")
    @Operation(operationId = "getReleaseMatrix", summary = "What runs where, per environment",
            description = "Per environment (in the order promotions took, e.g. staging before production), the version live on each of "
                    + "its servers (its newest SUCCEEDED deployment), who deployed it and when, the servers that run something else than "
                    + "most of the environment, and how many versions the environment before it has had since. Hidden servers are "
                    + "counted, never named.")
    public Uni<ReleaseMatrix.View> releases() {
        return access.of(identity).chain(matrix::view);
    }

    @GET
    @Path("trend")
    @Operation(operationId = "getInsightTrend", summary = "The four keys week by week",
            description = "The same figures for each week of the period, counted back from to (at most the last 13 weeks), oldest first.")
    public Uni<List<InsightService.Week>> trend(@QueryParam("from") String from, @QueryParam("to") String to,
                                                @QueryParam("environment") String environment, @QueryParam("server") String server,
                                                @QueryParam("group") String group) {
        return access.of(identity).chain(a -> insight.trend(from, to, environment, server, group, a));
    }
}
