package io.triggerdeploy.notify;

import java.util.Map;

/** One notification: a subject line, a plain-text body, and the JSON payload outgoing webhooks receive. */
public record Message(NotifyEvent event, String subject, String text, Map<String, Object> payload) {
}
