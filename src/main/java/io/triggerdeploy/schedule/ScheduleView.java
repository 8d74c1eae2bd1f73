package io.triggerdeploy.schedule;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.deploy.RolloutStarter;
import io.triggerdeploy.server.Parameters;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A scheduled deployment of a server: {@code cron} in {@code time_zone}, or once at {@code run_at}; {@code next_run_at}
 * is when it runs next (null when disabled or done), {@code last_outcome} what its last due run did, {@code updated_by}
 * who changed it last (they, and everyone who changed it since its last run, may not approve the run it makes).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleView(long id, Long serverId, String server, Map<String, Object> rollout, String description, String cron, OffsetDateTime runAt,
                           String timeZone, Map<String, String> parameters, boolean enabled, String catchUp,
                           OffsetDateTime nextRunAt, OffsetDateTime lastRunAt, String lastOutcome, Long lastDeploymentId,
                           String lastDeploymentStatus,
                           String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt, String updatedBy) {

    static final String COLUMNS = "c.id, c.server_id, s.alias, c.rollout, c.description, c.cron, c.run_at, c.time_zone, c.parameters::text AS p, "
            + "c.enabled, c.catch_up, c.next_run_at, c.last_run_at, c.last_outcome, c.last_deployment_id, c.created_by, "
            + "c.created_at, c.updated_at, c.updated_by, "
            // what the last run's deployment is now (the outcome was written when the run made it: "queued #12")
            + "(SELECT d.status FROM deployments d WHERE d.id = c.last_deployment_id) AS last_deployment_status";

    static ScheduleView of(Row r) {
        String p = r.getString("p");
        Object rollout = r.getValue("rollout");
        return new ScheduleView(r.getLong("id"), r.getLong("server_id"), r.getString("alias"),
                rollout instanceof io.vertx.core.json.JsonObject j ? j.getMap() : null, r.getString("description"),
                r.getString("cron"), r.getOffsetDateTime("run_at"), r.getString("time_zone"),
                p == null ? null : Parameters.readMap(p), r.getBoolean("enabled"), r.getString("catch_up"),
                r.getOffsetDateTime("next_run_at"), r.getOffsetDateTime("last_run_at"), r.getString("last_outcome"),
                r.getLong("last_deployment_id"), r.getString("last_deployment_status"), r.getString("created_by"), r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("updated_at"), r.getString("updated_by"));
    }

    /** What a run deploys, in words: the server's alias, or the rollout's target and strategy. */
    public String describeTarget() {
        return rollout == null ? server : RolloutStarter.describe(rollout);
    }
}
