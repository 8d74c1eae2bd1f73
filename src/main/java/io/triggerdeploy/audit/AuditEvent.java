package io.triggerdeploy.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;

/** One audit record as the API shows it. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(long id, OffsetDateTime at, String actor, Long actorId, String action, String targetType,
                         String target, String detail, String clientIp, boolean success, String via) {

    static final String COLUMNS = "id, at, actor, actor_id, action, target_type, target, detail, client_ip, success, via";

    static AuditEvent of(Row r) {
        return new AuditEvent(r.getLong("id"), r.getOffsetDateTime("at"), r.getString("actor"), r.getLong("actor_id"),
                r.getString("action"), r.getString("target_type"), r.getString("target"), r.getString("detail"),
                r.getString("client_ip"), r.getBoolean("success"), r.getString("via"));
    }
}
