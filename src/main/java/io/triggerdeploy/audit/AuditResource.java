package io.triggerdeploy.audit;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /api/audit} (admins): the audit trail, newest first. {@code action} matches exactly or as a prefix
 * ({@code login} finds {@code login.success} and {@code login.failure}).
 */
@Path("/api/audit")
@RolesAllowed(Role.ADMIN_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditLog audit;

    public AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Operation(operationId = "listAuditRecords")
    public Uni<AuditPage> list(@QueryParam("actor") String actor, @QueryParam("action") String action,
                               @QueryParam("from") String from, @QueryParam("to") String to,
                               @QueryParam("cursor") Long cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        return audit.page(actor, action, from, to, cursor, limit);
    }
}
