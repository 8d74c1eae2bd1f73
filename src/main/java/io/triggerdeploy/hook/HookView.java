package io.triggerdeploy.hook;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.deploy.RolloutStarter;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;

/** A hook as the API shows it; {@code secret} only once, in the answer to its creation. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HookView(String id, String name, Long serverId, String server, java.util.Map<String, Object> rollout, String kind,
                       String headerName, String algorithm, String branch, boolean active, String createdBy, OffsetDateTime createdAt,
                       OffsetDateTime lastDeliveryAt, String url, String secret, java.util.Map<String, String> parameters,
                       java.util.Map<String, String> eventParameters) {

    static final String COLUMNS = "h.id, h.name, h.server_id, s.alias AS server_alias, h.kind, h.header_name, h.algorithm, "
            + "h.branch, h.active, h.created_by, h.created_at, h.last_delivery_at, h.rollout, h.parameters, h.event_parameters";

    static HookView of(Row r) {
        Object rollout = r.getValue("rollout");
        return new HookView(r.getString("id"), r.getString("name"), r.getLong("server_id"), r.getString("server_alias"),
                rollout instanceof io.vertx.core.json.JsonObject j ? j.getMap() : null, r.getString("kind"), r.getString("header_name"), r.getString("algorithm"), r.getString("branch"),
                r.getBoolean("active"), r.getString("created_by"), r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("last_delivery_at"), "/hooks/" + r.getString("id"), null, HookRepository.strings(r.getValue("parameters")),
                HookRepository.strings(r.getValue("event_parameters")));
    }

    /** What a delivery starts, in words: the server's alias, or the rollout's target and strategy. */
    public String describeTarget() {
        return rollout == null ? server : RolloutStarter.describe(rollout);
    }

    HookView withSecret(String s) {
        return new HookView(id, name, serverId, server, rollout, kind, headerName, algorithm, branch, active, createdBy, createdAt,
                lastDeliveryAt, url, s, parameters, eventParameters);
    }
}
