package io.triggerdeploy.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deployment as the API shows it, with links to itself, its log and its event stream. {@code parameters} are the
 * values its command received (secrets as {@code ***}); {@code origin} says whether it is a {@code rerun},
 * {@code rollback} or {@code promotion} of deployment {@code origin_id}; a host of a rollout
 * carries {@code rollout_id} and its {@code wave} (from 1).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(long id, @Schema(implementation = DeploymentStatus.class) String status, long serverId,
                             String server, String requestedBy, String source,
                             String note, OffsetDateTime requestedAt, OffsetDateTime queuedAt, OffsetDateTime startedAt,
                             OffsetDateTime finishedAt,
                             Long durationMs, Integer exitCode, String error, String replica, Boolean cancelRequested,
                             int logLines, boolean logTruncated, String ref, Map<String, String> parameters,
                             String origin, Long originId, java.util.List<Step> steps, String failedStep,
                             Integer position, String environment, Approval approval, OffsetDateTime notBefore,
                             String breakGlass, Long rolloutId, Integer wave, Map<String, String> links) {

    static final String COLUMNS = "id, status, server_id, server_alias, requested_by, source, note, requested_at, queued_at, started_at, "
            + "finished_at, duration_ms, exit_code, error, claimed_by, cancel_requested, log_lines, log_truncated, ref, "
            + "parameters, origin, origin_id, steps, failed_step, environment, approvals_required, approval_expires_at, "
            + "not_before, break_glass_reason, rollout_id, wave";

    /** The same deployment with its place in its server's queue (1 = next), for a QUEUED one. */
    public DeploymentView withPosition(Integer p) {
        return new DeploymentView(id, status, serverId, server, requestedBy, source, note, requestedAt, queuedAt, startedAt, finishedAt,
                durationMs, exitCode, error, replica, cancelRequested, logLines, logTruncated, ref, parameters, origin, originId,
                steps, failedStep, p, environment, approval, notBefore, breakGlass, rolloutId, wave, links);
    }

    /** The same deployment with the approvals and rejections it received. */
    public DeploymentView withDecisions(java.util.List<Decision> decisions) {
        if (approval == null) {
            return this;
        }
        int given = (int) decisions.stream().filter(d -> "approve".equals(d.decision())).count();
        return new DeploymentView(id, status, serverId, server, requestedBy, source, note, requestedAt, queuedAt, startedAt, finishedAt,
                durationMs, exitCode, error, replica, cancelRequested, logLines, logTruncated, ref, parameters, origin, originId,
                steps, failedStep, position, environment, new Approval(approval.required(), given, approval.expiresAt(), decisions),
                notBefore, breakGlass, rolloutId, wave, links);
    }

    /**
     * What a deployment of an environment that requires approvals needs: {@code required} approvals of other people
     * before {@code expires_at}; {@code given} and {@code decisions} are filled where a single deployment is shown.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Approval(int required, Integer given, OffsetDateTime expiresAt, java.util.List<Decision> decisions) {
    }

    /** One person's approval or rejection, with their comment. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ApprovalDecision")
    public record Decision(String username, String decision, String comment, OffsetDateTime at) {
    }

    /**
     * One step of a run with steps: {@code name} precheck, deploy, verify, rollback or on_failure; {@code state}
     * RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED or SKIPPED; {@code detail} what happened, e.g. the exit code.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, String state, String detail) {
    }

    static DeploymentView of(Row r) {
        long id = r.getLong("id");
        return new DeploymentView(id, r.getString("status"), r.getLong("server_id"), r.getString("server_alias"),
                r.getString("requested_by"), r.getString("source"), r.getString("note"),
                r.getColumnIndex("requested_at") >= 0 ? r.getOffsetDateTime("requested_at") : null,
                r.getOffsetDateTime("queued_at"), r.getOffsetDateTime("started_at"), r.getOffsetDateTime("finished_at"),
                r.getLong("duration_ms"), r.getInteger("exit_code"), r.getString("error"), r.getString("claimed_by"),
                r.getBoolean("cancel_requested") ? Boolean.TRUE : null, r.getInteger("log_lines"),
                r.getBoolean("log_truncated"), r.getString("ref"), parameters(r.getValue("parameters")),
                r.getString("origin"), r.getLong("origin_id"), steps(r.getValue("steps")), r.getString("failed_step"), null,
                r.getString("environment"), r.getValue("approvals_required") == null ? null
                        : new Approval(r.getInteger("approvals_required"), null, r.getOffsetDateTime("approval_expires_at"), null),
                r.getOffsetDateTime("not_before"), r.getString("break_glass_reason"), r.getLong("rollout_id"),
                r.getInteger("wave"), links(id));
    }

    private static java.util.List<Step> steps(Object value) {
        if (!(value instanceof io.vertx.core.json.JsonArray json) || json.isEmpty()) {
            return null;
        }
        java.util.List<Step> out = new java.util.ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            JsonObject o = json.getJsonObject(i);
            out.add(new Step(o.getString("name"), o.getString("state"), o.getString("detail")));
        }
        return out;
    }

    private static Map<String, String> parameters(Object value) {
        if (!(value instanceof JsonObject json) || json.isEmpty()) {
            return null;
        }
        Map<String, String> out = new TreeMap<>();
        json.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
        return out;
    }

    static Map<String, String> links(long id) {
        String self = "/api/deployments/" + id;
        return Map.of("self", self, "log", self + "/log", "events", self + "/events");
    }
}
