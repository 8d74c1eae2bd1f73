package io.triggerdeploy.hook;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.db.BootstrapStep;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/** Hourly: forgets delivery replay keys older than 90 days (replays are refused for that long). */
@ApplicationScoped
public class HookRetention implements BootstrapStep {

    static final int KEEP_DAYS = 90;

    private final HookRepository repository;
    private final Periodic periodic;

    public HookRetention(HookRepository repository, Periodic periodic) {
        this.repository = repository;
        this.periodic = periodic;
    }

    @Override
    public int order() {
        return 32;
    }

    @Override
    public void run() {
        periodic.every("Hook delivery retention", Duration.ofMinutes(1), Duration.ofHours(1), this::purge);
    }

    Uni<Integer> purge() {
        return repository.purgeDeliveriesOlderThan(KEEP_DAYS);
    }
}
