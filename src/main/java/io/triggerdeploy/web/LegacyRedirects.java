package io.triggerdeploy.web;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;

/** The old tool's page addresses, bookmarked by its users, lead to the pages that do their job here. */
@Path("/")
@PermitAll
public class LegacyRedirects {

    private final boolean swaggerUi;

    public LegacyRedirects(@ConfigProperty(name = "quarkus.swagger-ui.enabled", defaultValue = "true") boolean swaggerUi) {
        this.swaggerUi = swaggerUi;
    }

    @GET
    @Path("dashboard")
    @Operation(hidden = true)
    public Response dashboard() {
        return to("/");
    }

    @GET
    @Path("home")
    @Operation(hidden = true)
    public Response home() {
        return to("/");
    }

    /** The old deploy page: server cards with a deploy button, which is the dashboard here. */
    @GET
    @Path("deploy-servers")
    @Operation(hidden = true)
    public Response deployServers() {
        return to("/");
    }

    @GET
    @Path("services-monitor")
    @Operation(hidden = true)
    public Response servicesMonitor() {
        return to("/services");
    }

    @GET
    @Path("docs")
    @Operation(hidden = true)
    public Response docs() {
        return to(apiDocs());
    }

    @GET
    @Path("docs/swagger")
    @Operation(hidden = true)
    public Response swagger() {
        return to(apiDocs());
    }

    @GET
    @Path("api/docs")
    @Operation(hidden = true)
    public Response apiDocsAlias() {
        return to(apiDocs());
    }

    @GET
    @Path("openapi.json")
    @Operation(hidden = true)
    public Response openapiJson() {
        return to("/q/openapi?format=json");
    }

    private String apiDocs() {
        return swaggerUi ? "/q/swagger-ui/" : "/q/openapi";
    }

    private static Response to(String path) {
        return Response.status(Response.Status.FOUND).location(URI.create(path)).build();
    }
}
