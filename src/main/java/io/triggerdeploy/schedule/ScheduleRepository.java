package io.triggerdeploy.schedule;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/** Schedules in plain SQL; {@code next_run_at} is the claim that makes each due run happen once across replicas. */
@ApplicationScoped
public class ScheduleRepository {

    private static final String EDITORS = "updated_by, updated_by_id, editor_ids";

    private final Pool pool;

    public ScheduleRepository(Pool pool) {
        this.pool = pool;
    }

    /** A stored schedule as written (for a change). */
    record Stored(long id, Long serverId, JsonObject rollout, String cron, OffsetDateTime runAt, String timeZone, String parametersJson, boolean enabled,
                  String catchUp, String description, String createdBy, Long createdById, String updatedBy, Long updatedById,
                  List<Long> editorIds) {

        /** Who, besides the creator, chose what the next run deploys: the last editor and every editor since the last run. */
        List<Long> coRequesters() {
            java.util.LinkedHashSet<Long> ids = new java.util.LinkedHashSet<>(editorIds);
            if (updatedById != null) {
                ids.add(updatedById);
            }
            ids.remove(createdById);
            return List.copyOf(ids);
        }
    }

    /** What one saved schedule holds. */
    record Values(Long serverId, JsonObject rollout, String description, String cron, OffsetDateTime runAt, String timeZone, String parametersJson,
                  boolean enabled, String catchUp, OffsetDateTime nextRunAt) {
    }

    Uni<List<ScheduleView>> list(Long serverId) {
        return pool.preparedQuery("SELECT " + ScheduleView.COLUMNS + " FROM schedules c LEFT JOIN servers s ON s.id = c.server_id "
                        + "WHERE $1::bigint IS NULL OR c.server_id = $1 ORDER BY c.next_run_at NULLS LAST, c.id")
                .execute(Tuple.of(serverId)).map(rows -> Rows.list(rows, ScheduleView::of));
    }

    Uni<ScheduleView> find(long id) {
        return pool.preparedQuery("SELECT " + ScheduleView.COLUMNS + " FROM schedules c LEFT JOIN servers s ON s.id = c.server_id WHERE c.id = $1")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, ScheduleView::of));
    }

    Uni<Stored> stored(long id) {
        return pool.preparedQuery("SELECT id, server_id, rollout, cron, run_at, time_zone, parameters::text AS p, enabled, catch_up, description, "
                        + "created_by, created_by_id, " + EDITORS + " FROM schedules WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, ScheduleRepository::stored));
    }

    private static Stored stored(io.vertx.mutiny.sqlclient.Row r) {
        Long[] editors = r.getArrayOfLongs("editor_ids");
        Object rollout = r.getValue("rollout");
        return new Stored(r.getLong("id"), r.getLong("server_id"), rollout instanceof JsonObject j ? j : null, r.getString("cron"), r.getOffsetDateTime("run_at"),
                r.getString("time_zone"), r.getString("p"), r.getBoolean("enabled"), r.getString("catch_up"),
                r.getString("description"), r.getString("created_by"), r.getLong("created_by_id"), r.getString("updated_by"),
                r.getLong("updated_by_id"), editors == null ? List.of() : List.of(editors));
    }

    Uni<Long> insert(Tx tx, Values v, String createdBy, Long createdById) {
        return tx.client().preparedQuery("INSERT INTO schedules (server_id, description, cron, run_at, time_zone, parameters, enabled, "
                        + "catch_up, next_run_at, created_by, created_by_id, rollout) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, "
                        + "$10, $11, $12) "
                        + "RETURNING id")
                .execute(Tuple.from(new Object[]{v.serverId(), v.description(), v.cron(), v.runAt(), v.timeZone(), v.parametersJson(),
                        v.enabled(), v.catchUp(), v.nextRunAt(), createdBy, createdById, v.rollout()}))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Saves a change and who made it: the last editor, and one more of the editors since the last run. */
    Uni<Boolean> update(Tx tx, long id, Values v, String by, Long byId) {
        return tx.client().preparedQuery("UPDATE schedules SET server_id = $2, rollout = $13, description = $3, cron = $4, run_at = $5, time_zone = $6, "
                        + "parameters = $7::text::jsonb, enabled = $8, catch_up = $9, next_run_at = $10, updated_at = now(), "
                        + "updated_by = $11, updated_by_id = $12, editor_ids = CASE WHEN $12::bigint IS NULL OR $12::bigint = ANY(editor_ids) "
                        + "THEN editor_ids ELSE array_append(editor_ids, $12::bigint) END WHERE id = $1")
                .execute(Tuple.from(new Object[]{id, v.serverId(), v.description(), v.cron(), v.runAt(), v.timeZone(), v.parametersJson(),
                        v.enabled(), v.catchUp(), v.nextRunAt(), by, byId, v.rollout()}))
                .map(rows -> rows.rowCount() > 0);
    }

    Uni<Boolean> delete(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM schedules WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    /** A run that is due: the schedule and the {@code next_run_at} it was found with. */
    record Due(Stored schedule, OffsetDateTime dueAt) {
    }

    /** What a run that started a rollout (outside the run's claim) did, once it is known. */
    Uni<Void> outcome(long id, String outcome) {
        return pool.preparedQuery("UPDATE schedules SET last_outcome = $2 WHERE id = $1").execute(Tuple.of(id, outcome)).replaceWithVoid();
    }

    /** Enabled schedules whose next run is due now, the longest due first. */
    Uni<List<Due>> due(int limit) {
        return pool.preparedQuery("SELECT id, server_id, rollout, cron, run_at, time_zone, parameters::text AS p, enabled, catch_up, description, "
                        + "created_by, created_by_id, " + EDITORS + ", next_run_at FROM schedules WHERE enabled AND next_run_at <= now() "
                        + "ORDER BY next_run_at LIMIT $1")
                .execute(Tuple.of(limit)).map(rows -> Rows.list(rows, r -> new Due(stored(r), r.getOffsetDateTime("next_run_at"))));
    }

    /**
     * Locks a due schedule for this transaction if no other replica has it and it is still due at the time seen; false
     * when another replica is creating (or created) that run.
     */
    Uni<Boolean> claim(Tx tx, long id, OffsetDateTime dueAt) {
        return tx.client().preparedQuery("SELECT id FROM schedules WHERE id = $1 AND enabled AND next_run_at = $2 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(id, dueAt)).map(rows -> rows.rowCount() > 0);
    }

    /**
     * Records what a due run did and when the schedule runs next (null: no more runs, it is switched off). A run that made
     * a deployment starts a new list of editors since the last run.
     */
    Uni<Void> advance(Tx tx, long id, OffsetDateTime next, String outcome, Long deploymentId) {
        return tx.client().preparedQuery("UPDATE schedules SET next_run_at = $2::timestamptz, enabled = $2::timestamptz IS NOT NULL, last_run_at = now(), "
                        + "last_outcome = $3, last_deployment_id = coalesce($4, last_deployment_id), "
                        + "editor_ids = CASE WHEN $4::bigint IS NULL THEN editor_ids ELSE '{}' END WHERE id = $1")
                .execute(Tuple.of(id, next, outcome, deploymentId)).replaceWithVoid();
    }
}
