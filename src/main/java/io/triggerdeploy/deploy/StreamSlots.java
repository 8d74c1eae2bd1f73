package io.triggerdeploy.deploy;

import io.triggerdeploy.common.Slots;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Caps the live log streams this replica holds open, per user and in all, so that one client cannot exhaust the
 * replica's connections and event-loop time with thousands of idle streams.
 */
@ApplicationScoped
public class StreamSlots {

    private final Slots slots;

    public StreamSlots(DeployConfig config) {
        this.slots = new Slots(config.maxStreamsPerUser(), config.maxStreams());
    }

    /** A slot for this user, or null when a cap is reached. Release it exactly once. */
    public Runnable acquire(String user) {
        return slots.acquire(user);
    }

    int open() {
        return slots.open();
    }
}
