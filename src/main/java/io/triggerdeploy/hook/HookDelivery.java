package io.triggerdeploy.hook;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;

/**
 * One delivery to a hook as it was received: {@code outcome} {@code queued} (a deployment), {@code started} (a rollout),
 * {@code skipped} (nothing to do, e.g. another branch) or {@code refused} (a wrong signature, a replay, a disabled
 * hook, a parameter the server refused), the HTTP {@code status} the sender got and the {@code reason}.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HookDelivery(long id, OffsetDateTime receivedAt, @Schema(nullable = true) String delivery, @Schema(nullable = true) String event,
                           String outcome, int status, @Schema(nullable = true) String reason, @Schema(nullable = true) Long deploymentId,
                           @Schema(nullable = true) Long rolloutId) {

    static HookDelivery of(Row r) {
        return new HookDelivery(r.getLong("id"), r.getOffsetDateTime("received_at"), r.getString("delivery"), r.getString("event"),
                r.getString("outcome"), r.getInteger("status"), r.getString("reason"), r.getLong("deployment_id"), r.getLong("rollout_id"));
    }

    /** Whether the sender's delivery did something. */
    public boolean ok() {
        return "queued".equals(outcome) || "started".equals(outcome);
    }
}
