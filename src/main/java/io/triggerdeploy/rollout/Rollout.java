package io.triggerdeploy.rollout;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;

/**
 * A rollout row as the engine reads and changes it under the row lock. The fields the engine moves are mutable; the rest
 * was fixed at creation.
 */
final class Rollout {

    static final String COLUMNS = "id, status, target, strategy, spec, ref, parameters, note, current_wave, wave_count, "
            + "max_failures, accepted_failures, max_in_flight, on_breach, wave_started_at, wave_ended_at, gate, promoted, "
            + "paused_reason, resume_at, approvals_required, approval_expires_at, decisions, created_by, created_by_id, source, "
            + "created_at, finished_at";

    final long id;
    final JsonObject target;
    final String strategy;
    final JsonObject spec;
    final String ref;
    final JsonObject parameters;
    final String note;
    final int waveCount;
    final int maxFailures;
    final int maxInFlight;
    final String onBreach;
    final Integer approvalsRequired;
    final OffsetDateTime approvalExpiresAt;
    final String createdBy;
    final Long createdById;
    final String source;
    final OffsetDateTime createdAt;
    String status;
    int currentWave;
    int acceptedFailures;
    OffsetDateTime waveStartedAt;
    OffsetDateTime waveEndedAt;
    String gate;
    boolean promoted;
    String pausedReason;
    OffsetDateTime resumeAt;
    JsonArray decisions;
    OffsetDateTime finishedAt;

    Rollout(Row r) {
        this.id = r.getLong("id");
        this.target = (JsonObject) r.getValue("target");
        this.strategy = r.getString("strategy");
        this.spec = (JsonObject) r.getValue("spec");
        this.ref = r.getString("ref");
        this.parameters = r.getValue("parameters") instanceof JsonObject p ? p : null;
        this.note = r.getString("note");
        this.waveCount = r.getInteger("wave_count");
        this.maxFailures = r.getInteger("max_failures");
        this.maxInFlight = r.getInteger("max_in_flight");
        this.onBreach = r.getString("on_breach");
        this.approvalsRequired = r.getValue("approvals_required") == null ? null : r.getInteger("approvals_required");
        this.approvalExpiresAt = r.getOffsetDateTime("approval_expires_at");
        this.createdBy = r.getString("created_by");
        this.createdById = r.getLong("created_by_id");
        this.source = r.getString("source");
        this.createdAt = r.getOffsetDateTime("created_at");
        this.status = r.getString("status");
        this.currentWave = r.getInteger("current_wave");
        this.acceptedFailures = r.getInteger("accepted_failures");
        this.waveStartedAt = r.getOffsetDateTime("wave_started_at");
        this.waveEndedAt = r.getOffsetDateTime("wave_ended_at");
        this.gate = r.getString("gate");
        this.promoted = r.getBoolean("promoted");
        this.pausedReason = r.getString("paused_reason");
        this.resumeAt = r.getOffsetDateTime("resume_at");
        this.decisions = r.getValue("decisions") instanceof JsonArray d ? d : new JsonArray();
        this.finishedAt = r.getOffsetDateTime("finished_at");
    }

    /** What the event stream compares a rollout with after a change. */
    record Snapshot(String status, int currentWave, boolean waveStarted, String gate, String pausedReason) {
    }

    Snapshot snapshot() {
        return new Snapshot(status, currentWave, waveStartedAt != null, gate, pausedReason);
    }

    boolean active() {
        return RolloutStatus.ACTIVE.contains(status);
    }

    int soakSeconds() {
        return spec.getInteger("soak_seconds", 0);
    }

    String errorPattern() {
        return spec.getString("error_pattern");
    }

    /** One server of a rollout, with the status of its current deployment (null before it has one). */
    record HostRow(long serverId, String alias, int wave, int position, String state, Long deploymentId, int attempts,
                   String detail, String deploymentStatus, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                   Long rollbackDeploymentId, String ref, String shownJson, String sealedJson, String environment,
                   String reported) {

        /** What the host is: PENDING, SKIPPED or REFUSED before or instead of a deployment, else its deployment's status. */
        String status() {
            if (!"STARTED".equals(state)) {
                return state;
            }
            return deploymentStatus == null ? "INTERRUPTED" : deploymentStatus;
        }

        boolean ended() {
            return !"PENDING".equals(state) && !RolloutEngine.IN_FLIGHT.contains(status());
        }

        boolean inFlight() {
            return "STARTED".equals(state) && RolloutEngine.IN_FLIGHT.contains(status());
        }

        boolean failed() {
            return RolloutEngine.FAILING.contains(status());
        }
    }
}
