package io.triggerdeploy.deploy;

import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;

import java.util.Map;

/**
 * A request to start a deployment, whatever it came through.
 *
 * @param requestedBy the name shown in history (a user, or {@code hook:<name>})
 * @param source      stored on the deployment: api, api_token, web, trigger, hook
 * @param via         recorded in the audit trail: api, web, legacy, hook:&lt;name&gt;
 * @param actor       who the audit record names, and from which address
 * @param parameters  the values given for the server's parameters (checked against its declarations); may be empty
 * @param origin      set when this repeats another deployment (a promotion); null otherwise
 * @param breakGlass  the reason for bypassing the environment's approvals, freezes and hours; null for none
 * @param acting      whose permissions the trigger carries (checked when it is queued)
 */
public record TriggerCommand(String serverRef, String note, String requestedBy, Long requestedById, String source,
                             String via, Actor actor, Map<String, ?> parameters, Origin origin, String breakGlass,
                             Acting acting) {

    public TriggerCommand(String serverRef, String note, String requestedBy, Long requestedById, String source, String via,
                          Actor actor, Map<String, ?> parameters, Origin origin, Acting acting) {
        this(serverRef, note, requestedBy, requestedById, source, via, actor, parameters, origin, null, acting);
    }

    public TriggerCommand {
        parameters = parameters == null ? Map.of() : parameters;
        java.util.Objects.requireNonNull(acting, "acting");
    }

    /** The same request with an emergency bypass reason (null: none). */
    public TriggerCommand withBreakGlass(String reason) {
        return new TriggerCommand(serverRef, note, requestedBy, requestedById, source, via, actor, parameters, origin, reason, acting);
    }

    /** Which deployment a new one repeats, and how: {@code rerun}, {@code rollback} or {@code promotion}. */
    public record Origin(String kind, long id) {
        public String describe() {
            return switch (kind) {
                case "rerun" -> "re-run of #" + id;
                case "rollback" -> "rollback to #" + id;
                default -> "promotion of #" + id;
            };
        }
    }
}
