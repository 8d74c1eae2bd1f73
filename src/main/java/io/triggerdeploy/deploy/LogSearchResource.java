package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

/** {@code GET /api/search/logs}: find the lines of any stored deployment log. */
@Path("/api/search/logs")
public class LogSearchResource {

    private final LogSearch search;

    private final AccessService access;
    private final io.quarkus.security.identity.SecurityIdentity identity;

    public LogSearchResource(LogSearch search, AccessService access,
                             io.quarkus.security.identity.SecurityIdentity identity) {
        this.search = search;
        this.access = access;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "searchLogs", summary = "Search deployment logs", description = "Lines in which every term occurs, case-insensitively: a word "
            + "or \"a quoted phrase\" anywhere in the line, word* at the start of a word. Newest deployment first.")
    @APIResponseSchema(value = LogSearchPage.class, responseCode = "200", responseDescription = "The hits, newest first")
    @APIResponse(responseCode = "429", description = "As many searches are running as one person, or everyone, may run at once")
    @APIResponse(responseCode = "422", description = "The search ran longer than its time limit and was stopped; narrow it")
    public Uni<LogSearchPage> search(@Parameter(description = "the query, e.g. connection refused or \"exit code 137\" or oom*; "
            + "at least one term of 3 characters", required = true, schema = @Schema(type = SchemaType.STRING, minLength = 3, maxLength = 500))
                                     @QueryParam("q") String q,
                                     @QueryParam("server") String server, @QueryParam("status") String status,
                                     @QueryParam("ref") String ref, @QueryParam("from") String from, @QueryParam("to") String to,
                                     @QueryParam("cursor") String cursor,
                                     @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100", defaultValue = "50"))
                                     @QueryParam("limit") @DefaultValue("50") int limit,
                                     @Parameter(description = "lines of context before and after each hit, 0-5",
                                             schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "5", defaultValue = "2"))
                                     @QueryParam("context") @DefaultValue("2") int context) {
        return access.of(identity).chain(a -> search.search(identity.getPrincipal().getName(), q, server, status, ref, from, to,
                cursor, limit, context, a));
    }
}
