package io.triggerdeploy.rollout;

import io.triggerdeploy.notify.Message;
import io.triggerdeploy.notify.Notifier;
import io.triggerdeploy.notify.NotifyConfig;
import io.triggerdeploy.notify.NotifyEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tells the notification channels when a rollout started, paused (and why), succeeded, failed (aborted, rejected or
 * expired) or was rolled back; called after the change committed, never inside its transaction.
 */
@ApplicationScoped
public class RolloutNotices {

    private static final Logger LOG = Logger.getLogger(RolloutNotices.class);

    private final Notifier notifier;
    private final NotifyConfig config;

    public RolloutNotices(Notifier notifier, NotifyConfig config) {
        this.notifier = notifier;
        this.config = config;
    }

    /** The rollout's status moved from {@code before} (null: it was just created) to what {@code r} holds now. */
    void changed(Rollout r, String before) {
        if (r == null || Objects.equals(before, r.status)) {
            return;
        }
        NotifyEvent event = switch (r.status) {
            case "RUNNING" -> "PAUSED".equals(before) ? null : NotifyEvent.ROLLOUT_STARTED;
            case "PAUSED" -> NotifyEvent.ROLLOUT_PAUSED;
            case "SUCCEEDED" -> NotifyEvent.ROLLOUT_SUCCEEDED;
            case "ROLLED_BACK" -> NotifyEvent.ROLLOUT_ROLLED_BACK;
            case "AWAITING_APPROVAL" -> null;
            default -> NotifyEvent.ROLLOUT_FAILED;
        };
        if (event == null) {
            return;
        }
        try {
            notifier.publish(message(event, r));
        } catch (RuntimeException e) {
            LOG.warnf("Could not prepare the %s notification of rollout %d: %s", event.id(), r.id, e.getMessage());
        }
    }

    private Message message(NotifyEvent event, Rollout r) {
        String link = config.publicUrl().map(u -> u.replaceAll("/+$", "") + "/rollouts/" + r.id).orElse("/rollouts/" + r.id);
        String subject = "[trigger-deploy] rollout #" + r.id + (r.ref == null ? "" : " of " + r.ref) + " "
                + r.status.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        StringBuilder text = new StringBuilder();
        text.append("Target: ").append(r.target.encode()).append('\n')
                .append("Strategy: ").append(r.strategy).append(", ").append(r.waveCount).append(r.waveCount == 1 ? " wave" : " waves")
                .append('\n').append("Started by: ").append(r.createdBy).append('\n');
        if (r.ref != null) {
            text.append("Version: ").append(r.ref).append('\n');
        }
        text.append("Wave: ").append(r.currentWave).append(" of ").append(r.waveCount).append('\n');
        if (r.pausedReason != null) {
            text.append("PAUSED".equals(r.status) ? "Paused: " : "Reason: ").append(r.pausedReason).append('\n');
        }
        text.append("Details: ").append(link).append('\n');
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("rollout_id", r.id);
        payload.put("status", r.status);
        payload.put("ref", r.ref);
        payload.put("strategy", r.strategy);
        payload.put("current_wave", r.currentWave);
        payload.put("waves", r.waveCount);
        payload.put("reason", r.pausedReason);
        payload.put("created_by", r.createdBy);
        payload.put("url", link);
        return new Message(event, subject, text.toString(), payload);
    }
}
