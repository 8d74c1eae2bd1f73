package io.triggerdeploy.db;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicReference;

/** Where this replica's database bootstrap stands; read by readiness and by login (break-glass). */
@ApplicationScoped
public class DatabaseState {

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.WAITING_FOR_DATABASE);
    private volatile String detail = "waiting for the database";

    /** Bootstrap phases, in order. */
    public enum Phase {
        /** No connection could be made yet. */
        WAITING_FOR_DATABASE,
        /** Connected; migrations, keys and the admin are being prepared. */
        PREPARING,
        /** Everything is in place; workers may run. */
        READY,
        /** Bootstrap gave up; the process is exiting. */
        FAILED
    }

    public Phase phase() {
        return phase.get();
    }

    public String detail() {
        return detail;
    }

    public boolean isReady() {
        return phase.get() == Phase.READY;
    }

    void set(Phase next, String why) {
        detail = why;
        phase.set(next);
    }
}
