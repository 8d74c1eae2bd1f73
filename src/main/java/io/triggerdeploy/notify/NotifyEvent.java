package io.triggerdeploy.notify;

import java.util.Arrays;
import java.util.Optional;

/** What a channel may subscribe to, and the test message a channel's Test button sends (not a subscription). */
public enum NotifyEvent {
    DEPLOYMENT_STARTED("deployment.started"),
    DEPLOYMENT_SUCCEEDED("deployment.succeeded"),
    DEPLOYMENT_FAILED("deployment.failed"),
    DEPLOYMENT_AWAITING_APPROVAL("deployment.awaiting_approval"),
    DEPLOYMENT_APPROVED("deployment.approved"),
    DEPLOYMENT_REJECTED("deployment.rejected"),
    DEPLOYMENT_EXPIRED("deployment.expired"),
    DEPLOYMENT_BREAK_GLASS("deployment.break_glass"),
    ROLLOUT_STARTED("rollout.started"),
    ROLLOUT_PAUSED("rollout.paused"),
    ROLLOUT_SUCCEEDED("rollout.succeeded"),
    ROLLOUT_FAILED("rollout.failed"),
    ROLLOUT_ROLLED_BACK("rollout.rolled_back"),
    SERVICE_DOWN("service.down"),
    SERVICE_RECOVERED("service.recovered"),
    /** Sent to one channel by its test (POST /api/notifications/channels/{id}/test); no channel subscribes to it. */
    CHANNEL_TEST("channel.test");

    private final String id;

    NotifyEvent(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** An event a channel may subscribe to, by its id. */
    public static Optional<NotifyEvent> parse(String s) {
        return Arrays.stream(values()).filter(e -> e != CHANNEL_TEST && e.id.equals(s)).findFirst();
    }

    /** The ids of the events a channel may subscribe to. */
    public static java.util.List<String> subscribable() {
        return Arrays.stream(values()).filter(e -> e != CHANNEL_TEST).map(NotifyEvent::id).toList();
    }
}
