package io.triggerdeploy.web;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.util.Map;

/** The old tool's page addresses, bookmarked by its users, lead to the pages that do their job here. */
@Path("/")
@PermitAll
public class LegacyRedirects {

    private static final String API_DOCS = "(api docs)";

    /**
     * Old address → page here. The old deploy page (server cards with a deploy button) is the dashboard here;
     * its API documentation pages are Swagger UI (or the spec when Swagger UI is switched off).
     */
    private static final Map<String, String> TARGETS = Map.of(
            "dashboard", "/", "home", "/", "deploy-servers", "/", "services-monitor", "/services",
            "docs", API_DOCS, "docs/swagger", API_DOCS, "api/docs", API_DOCS, "openapi.json", "/q/openapi?format=json");

    private final boolean swaggerUi;

    public LegacyRedirects(@ConfigProperty(name = "quarkus.swagger-ui.enabled", defaultValue = "true") boolean swaggerUi) {
        this.swaggerUi = swaggerUi;
    }

    @GET
    @Path("{old: dashboard|home|deploy-servers|services-monitor|docs|docs/swagger|api/docs|openapi\\.json}")
    @Operation(hidden = true)
    public Response redirect(@PathParam("old") String old) {
        String target = TARGETS.get(old);
        if (API_DOCS.equals(target)) {
            target = swaggerUi ? "/q/swagger-ui/" : "/q/openapi";
        }
        return Response.status(Response.Status.FOUND).location(URI.create(target)).build();
    }
}
