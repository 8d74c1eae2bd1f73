package io.triggerdeploy.deploy;

import io.triggerdeploy.audit.Actor;

/**
 * A request to start a deployment, whatever it came through.
 *
 * @param requestedBy the name shown in history (a user, or {@code hook:<name>})
 * @param source      stored on the deployment: api, api_token, web, trigger, hook
 * @param via         recorded in the audit trail: api, web, legacy, hook:&lt;name&gt;
 * @param actor       who the audit record names, and from which address
 */
public record TriggerCommand(String serverRef, String note, String requestedBy, Long requestedById, String source,
                             String via, Actor actor) {
}
