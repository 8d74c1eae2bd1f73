package io.triggerdeploy.deploy;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.Map;

/** Deployments: operators trigger and cancel, everyone signed in reads history and logs. */
@Path("/api/deployments")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {

    static final int LOG_PAGE = 5000;

    private final DeploymentService service;
    private final SecurityIdentity identity;

    private final AuditLog audit;

    private final Approvals approvals;
    private final AccessService access;
    private final DeploymentStatsService figures;

    public DeploymentResource(DeploymentService service, SecurityIdentity identity, AuditLog audit,
                              Approvals approvals, AccessService access, DeploymentStatsService figures) {
        this.service = service;
        this.identity = identity;
        this.audit = audit;
        this.approvals = approvals;
        this.access = access;
        this.figures = figures;
    }

    @POST
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = DeploymentView.class, responseCode = "202", responseDescription = "Queued, or waiting for approvals; Location names the deployment")
    @Operation(operationId = "triggerDeployment")
    public Uni<RestResponse<DeploymentView>> trigger(@NotNull(message = "a JSON body with server is required") @Valid TriggerRequest request,
                                                     @Context HttpServerRequest http) {
        TriggerCommand c = command(request.note(), http);
        return service.trigger(new TriggerCommand(request.server(), c.note(), c.requestedBy(), c.requestedById(), c.source(),
                        c.via(), c.actor(), request.parameters(), null, request.breakGlass(), c.acting()))
                .map(DeploymentResource::accepted);
    }

    /** The same server, version and parameters once more; secret values are reused without leaving the server. */
    @POST
    @Path("{id}/rerun")
    @RolesAllowed(Role.OPERATOR_NAME)
    @APIResponseSchema(value = DeploymentView.class, responseCode = "202", responseDescription = "Queued, or waiting for approvals; Location names the deployment")
    @Operation(operationId = "rerunDeployment")
    public Uni<RestResponse<DeploymentView>> rerun(@PathParam("id") long id, @Context HttpServerRequest http) {
        return service.rerun(id, command(null, http)).map(DeploymentResource::accepted);
    }

    /** The same version and the parameters the other server declares, there (e.g. staging to production). */
    @POST
    @Path("{id}/promote")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = DeploymentView.class, responseCode = "202", responseDescription = "Queued, or waiting for approvals; Location names the deployment")
    @Operation(operationId = "promoteDeployment")
    public Uni<RestResponse<DeploymentView>> promote(@PathParam("id") long id,
                                                     @NotNull(message = "a JSON body with server is required") @Valid PromoteRequest request,
                                                     @Context HttpServerRequest http) {
        return service.promote(id, request.server(), command(request.note(), http)).map(DeploymentResource::accepted);
    }

    /** Where the server should go. */
    public record PromoteRequest(@jakarta.validation.constraints.NotBlank @jakarta.validation.constraints.Size(max = 253) String server,
                                 @jakarta.validation.constraints.Size(max = 500) String note) {
    }

    /** Who asks, through what, from where: everything of a trigger but the server and its values. */
    private TriggerCommand command(String note, HttpServerRequest http) {
        return command(identity, note, http);
    }

    static TriggerCommand command(SecurityIdentity identity, String note, HttpServerRequest http) {
        TriggerPrincipal p = Callers.of(identity);
        String source = switch (p.authType()) {
            case API_TOKEN -> "api_token";
            case SESSION -> "web";
            default -> "api";
        };
        String via = p.authType() == TriggerPrincipal.AuthType.SESSION ? "web" : "api";
        return new TriggerCommand(null, note, p.username(), p.userId(), source, via, Actor.of(p, http), Map.of(), null,
                Acting.of(p));
    }

    static RestResponse<DeploymentView> accepted(DeploymentView d) {
        return RestResponse.ResponseBuilder.<DeploymentView>create(RestResponse.Status.ACCEPTED)
                .location(URI.create(d.links().get("self"))).entity(d).build();
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listDeployments")
    public Uni<DeploymentPage> list(@QueryParam("server") String server, @QueryParam("status") String status,
                                    @QueryParam("user") String user, @QueryParam("ref") String ref,
                                    @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") Long cursor,
                                    @QueryParam("limit") @DefaultValue("50") int limit) {
        return access.of(identity).chain(a -> service.page(server, status, user, ref, from, to, cursor, limit, a));
    }

    /** Counts by status, success rate, mean and p95 duration, overall and per server, for 24 h, 7 d and 30 d. */
    @GET
    @Path("stats")
    @RolesAllowed(Role.VIEWER_NAME)
    @org.eclipse.microprofile.openapi.annotations.Operation(operationId = "getDeploymentStats", summary = "Deployment figures for 24 h, 7 d and 30 d",
            description = DeploymentFigures.DEFINITION + " Recomputed at most every 15 s per replica.")
    public Uni<DeploymentStats> stats() {
        return access.of(identity).chain(figures::stats);
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getDeployment")
    public Uni<DeploymentView> get(@PathParam("id") long id) {
        return access.of(identity).chain(a -> service.get(id, a));
    }

    /** One approval of a deployment that waits for approvals (never by its requester); it queues with the last one needed. */
    @POST
    @Path("{id}/approve")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "approveDeployment")
    public Uni<DeploymentView> approve(@PathParam("id") long id, @Valid Decision body) {
        return approvals.approve(id, Callers.of(identity), body == null ? null : body.comment(), audit.actor(identity));
    }

    /** Rejects a deployment that waits for approvals, with a comment: it ends REJECTED and never runs. */
    @POST
    @Path("{id}/reject")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "rejectDeployment")
    public Uni<DeploymentView> reject(@PathParam("id") long id, @Valid Rejection body) {
        return approvals.reject(id, Callers.of(identity), body == null ? null : body.comment(), audit.actor(identity));
    }

    /** Why a deployment is rejected: the comment is required (the requester reads it). */
    @Schema(name = "RejectRequest")
    public record Rejection(@Schema(required = true, minLength = 1) @jakarta.validation.constraints.Size(max = 500) String comment) {
    }

    /** A decision's comment (required to reject). */
    @Schema(name = "DecisionRequest")
    public record Decision(@jakarta.validation.constraints.Size(max = 500) String comment) {
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "cancelDeployment")
    public Uni<DeploymentView> cancel(@PathParam("id") long id) {
        Actor actor = audit.actor(identity);
        return access.of(identity).chain(a -> service.cancel(id, a, actor));
    }

    /** The whole stored log as text: one line per output line, with time and stream. */
    @GET
    @Path("{id}/log")
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.TEXT_PLAIN + ";charset=UTF-8")
    @Operation(operationId = "getDeploymentLog")
    public Uni<String> log(@PathParam("id") long id) {
        return access.of(identity).chain(a -> service.get(id, a)).chain(d -> appendFrom(id, 0, new StringBuilder()));
    }

    private Uni<String> appendFrom(long id, int after, StringBuilder sb) {
        return service.lines(id, after, LOG_PAGE).chain(lines -> {
            for (LogLine l : lines) {
                sb.append(l.at()).append(' ').append(streamName(l.stream())).append(" | ").append(l.text()).append('\n');
            }
            if (lines.size() < LOG_PAGE) {
                return Uni.createFrom().item(sb.toString());
            }
            return appendFrom(id, lines.get(lines.size() - 1).lineNo(), sb);
        });
    }

    static String streamName(char stream) {
        return switch (stream) {
            case 'e' -> "err";
            case 's' -> "sys";
            default -> "out";
        };
    }

}
