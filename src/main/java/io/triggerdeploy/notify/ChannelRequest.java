package io.triggerdeploy.notify;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

/**
 * A channel as an admin writes it. {@code settings} by kind: email {@code smtp_host}, {@code smtp_port} (587),
 * {@code smtp_tls} (starttls | tls | none), {@code smtp_username}, {@code from}, {@code to} (list); telegram
 * {@code chat_id}, {@code api_base_url}; webhook {@code url}; slack, teams, discord none. {@code secret}: the SMTP
 * password, bot token, signing secret, or (slack, teams, discord) the incoming webhook's URL (write-only).
 * {@code events}: any of the events {@code NotifyEvent} names (deployments, approvals, break-glass, rollouts, watched
 * services). On update, absent fields stay as they are.
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record ChannelRequest(
        @Size(min = 1, max = 100) String name,
        @Pattern(regexp = "email|telegram|webhook|slack|teams|discord", message = "must be email, telegram, webhook, slack, teams or discord") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 8) String kind,
        Map<String, Object> settings,
        @Size(max = 500) String secret,
        List<String> events,
        Boolean active) {

    @Override
    public String toString() {
        return "ChannelRequest[name=" + name + ", kind=" + kind + "]";
    }
}
