package io.triggerdeploy.rollout;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.deploy.DeploymentResource;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;

/** Rollouts: one release to a group, an environment or a label selector, in waves. */
@Path("/api/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class RolloutResource {

    private final RolloutService rollouts;
    private final RolloutActions actions;
    private final AccessService access;
    private final AuditLog audit;
    private final SecurityIdentity identity;
    private final RolloutStream stream;
    private final RolloutLog log;

    public RolloutResource(RolloutService rollouts, RolloutActions actions, AccessService access, AuditLog audit,
                           SecurityIdentity identity, RolloutStream stream, RolloutLog log) {
        this.rollouts = rollouts;
        this.actions = actions;
        this.access = access;
        this.audit = audit;
        this.identity = identity;
        this.stream = stream;
        this.log = log;
    }

    @POST
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createRollout", summary = "Start a rollout, or plan one",
            description = "Resolves and freezes the set of servers, splits it into waves and starts the first (or waits for the "
                    + "environments' approvals, once for the whole rollout). The caller needs deploy on every server of the set. "
                    + "With dry_run=true nothing is created: the answer is the plan, with the servers the caller may not deploy to.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RolloutRequest")))
    @APIResponse(responseCode = "201", description = "Created; Location names the rollout",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "200", description = "The plan of a dry run; nothing was created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RolloutView.class)))
    public Uni<RestResponse<RolloutView>> create(@NotNull(message = "a JSON body with target is required") @Valid RolloutRequest request,
                                                 @QueryParam("dry_run") @DefaultValue("false")
                                                 @Parameter(description = "Answer the plan only") boolean dryRun) {
        return caller().chain(c -> rollouts.create(request, c, dryRun)).map(v -> dryRun ? RestResponse.ok(v)
                : RestResponse.ResponseBuilder.<RolloutView>created(URI.create(v.links().get("self"))).entity(v).build());
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listRollouts", summary = "Rollouts, newest first")
    public Uni<RolloutPage> list(@QueryParam("status") @Parameter(schema = @Schema(implementation = RolloutStatus.class)) String status,
                                 @QueryParam("cursor") Long cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        return access.of(identity).chain(a -> rollouts.page(status, cursor, limit, a));
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getRollout", summary = "A rollout with its waves and hosts")
    public Uni<RolloutView> get(@PathParam("id") long id) {
        return access.of(identity).chain(a -> rollouts.get(id, a));
    }

    @GET
    @Path("{id}/log")
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.TEXT_PLAIN + ";charset=UTF-8")
    @Operation(operationId = "getRolloutLog", summary = "The rollout's hosts' output, merged",
            description = "The last `limit` output lines of the rollout's deployments (retries and rollbacks included) on the "
                    + "servers the caller may see, oldest first, one per line: time, server, stream (out, err, sys) and text. "
                    + "When lines were left out, a first line says how many; each host's deployment log has all of its own.")
    public Uni<String> log(@PathParam("id") long id, @QueryParam("limit") @DefaultValue("2000")
                           @Parameter(description = "How many of the newest lines, 1 to 20000") int limit) {
        return access.of(identity).chain(a -> log.text(id, limit, a));
    }

    @GET
    @Path("{id}/log/events")
    @RolesAllowed(Role.VIEWER_NAME)
    @RolloutFound
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "streamRolloutLog", summary = "The rollout's hosts' output, merged, live",
            description = "Server-Sent Events: `line` (server, deployment_id, line, at, stream, text) for each output line of the "
                    + "rollout's deployments on the servers the caller may see, each deployment's lines in their order; without a "
                    + "position first `skipped` (lines: how many earlier lines are left out) and the newest 1000 lines. The id of "
                    + "the last line of each batch is the position (per deployment, the last line sent): a dropped stream resumes "
                    + "after it (Last-Event-ID header or last_event_id), losing and repeating nothing. Ends with `end` (status) "
                    + "once the rollout has ended and its deployments' last lines were sent.")
    public Multi<OutboundSseEvent> logEvents(@PathParam("id") long id, @HeaderParam("Last-Event-ID") String lastEventId,
                                             @QueryParam("last_event_id") @Parameter(description = "Resume after this position")
                                             String lastEventParam, @Context Sse sse) {
        String position = lastEventId != null ? lastEventId : lastEventParam;
        return access.of(identity).chain(a -> log.live(id, position, a)).onItem().transformToMulti(events -> events).map(e -> {
            OutboundSseEvent.Builder b = sse.newEventBuilder().name(e.kind()).mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, e.json());
            return (e.id() == null ? b : b.id(e.id())).build();
        });
    }

    @GET
    @Path("{id}/events")
    @RolesAllowed(Role.VIEWER_NAME)
    @RolloutFound
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "streamRolloutEvents", summary = "The rollout's events, live",
            description = "Server-Sent Events: `status` (with paused_reason), `wave` (a wave started), `gate` (what the next wave "
                    + "waits for) and `host` (a host's status changed: server, wave, status, deployment_id, attempts), each a JSON "
                    + "object; the event id resumes a dropped stream (Last-Event-ID header or last_event_id). The stream ends "
                    + "after the rollout has ended and every host's last change was sent.")
    public Multi<OutboundSseEvent> events(@PathParam("id") long id, @HeaderParam("Last-Event-ID") String lastEventId,
                                          @QueryParam("last_event_id") @Parameter(description = "Resume after this event id")
                                          String lastEventParam, @Context Sse sse) {
        String last = lastEventId != null ? lastEventId : lastEventParam;
        long after = last == null || !last.trim().matches("\\d{1,18}") ? 0 : Long.parseLong(last.trim());
        return access.of(identity).onItem().transformToMulti(a -> stream.events(id, after, a))
                .map(e -> sse.newEventBuilder().id(String.valueOf(e.id())).name(e.kind()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(String.class, e.json()).build());
    }

    @POST
    @Path("{id}/pause")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "pauseRollout", summary = "Start nothing new", description = "Hosts already running finish.")
    public Uni<RolloutView> pause(@PathParam("id") long id) {
        return act(id, "pause", null);
    }

    @POST
    @Path("{id}/resume")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "resumeRollout", summary = "Go on from a pause",
            description = "Failures that broke the budget are accepted by whoever resumes (the budget grows by them).")
    public Uni<RolloutView> resume(@PathParam("id") long id) {
        return act(id, "resume", null);
    }

    @POST
    @Path("{id}/abort")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "abortRollout", summary = "End the rollout", description = "Running hosts are cancelled; nothing more starts.")
    public Uni<RolloutView> abort(@PathParam("id") long id) {
        return act(id, "abort", null);
    }

    @POST
    @Path("{id}/rollback")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "rollbackRollout", summary = "Return every host to its own release before the rollout",
            description = "Each host that took this rollout's release is rolled back to its own last success before it, newest "
                    + "wave first; failed, skipped and untouched hosts are left as they are. A running rollout ends first.")
    public Uni<RolloutView> rollback(@PathParam("id") long id) {
        return act(id, "rollback", null);
    }

    @POST
    @Path("{id}/promote")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "promoteRollout", summary = "Let the waves after the canary start",
            description = "Someone with approve on every server of the rollout, not the one who started it.")
    public Uni<RolloutView> promote(@PathParam("id") long id) {
        return act(id, "promote", null);
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "approveRollout", summary = "Approve a rollout that awaits its environments' approvals")
    public Uni<RolloutView> approve(@PathParam("id") long id, @Valid DeploymentResource.Decision body) {
        return act(id, "approve", body == null ? null : body.comment());
    }

    @POST
    @Path("{id}/reject")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "rejectRollout", summary = "Reject a rollout that awaits approval; it ends REJECTED")
    public Uni<RolloutView> reject(@PathParam("id") long id,
                                   @NotNull(message = "a JSON body with comment is required") @Valid DeploymentResource.Rejection body) {
        if (body.comment() == null || body.comment().isBlank()) {
            throw ProblemException.invalid("comment", "is required to reject");
        }
        return act(id, "reject", body.comment());
    }

    @POST
    @Path("{id}/hosts/{server}/retry")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "retryRolloutHost", summary = "Run a failed host again")
    public Uni<RolloutView> retry(@PathParam("id") long id, @PathParam("server") @Parameter(description = "The server's alias or id") String server) {
        return caller().chain(c -> actions.host(id, server, "retry", c));
    }

    @POST
    @Path("{id}/hosts/{server}/skip")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "skipRolloutHost", summary = "Leave a pending or failed host out")
    public Uni<RolloutView> skip(@PathParam("id") long id, @PathParam("server") @Parameter(description = "The server's alias or id") String server) {
        return caller().chain(c -> actions.host(id, server, "skip", c));
    }

    private Uni<RolloutView> act(long id, String action, String comment) {
        return caller().chain(c -> actions.act(id, action, comment, c));
    }

    private Uni<RolloutService.Caller> caller() {
        TriggerPrincipal p = Callers.of(identity);
        String source = switch (p.authType()) {
            case API_TOKEN -> "api_token";
            case SESSION -> "web";
            default -> "api";
        };
        return access.of(identity).map(a -> new RolloutService.Caller(a, Acting.of(p), source, audit.actor(identity)));
    }
}
