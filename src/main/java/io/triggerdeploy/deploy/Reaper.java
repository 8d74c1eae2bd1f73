package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * Marks deployments whose replica stopped renewing its lease INTERRUPTED (any replica may, one statement settles
 * it), tells observers, and wakes the dispatcher each round: a safety net for a missed notification.
 */
@ApplicationScoped
public class Reaper {

    private static final Logger LOG = Logger.getLogger(Reaper.class);

    private final DeploymentRepository repository;
    private final Periodic periodic;
    private final DeployConfig config;
    private final Dispatcher dispatcher;
    private final Event<DeploymentLifecycle> lifecycle;

    public Reaper(DeploymentRepository repository, Periodic periodic, DeployConfig config, Dispatcher dispatcher,
                  Event<DeploymentLifecycle> lifecycle) {
        this.repository = repository;
        this.periodic = periodic;
        this.config = config;
        this.dispatcher = dispatcher;
        this.lifecycle = lifecycle;
    }

    void start() {
        periodic.every("Deployment reaper", Duration.ZERO, config.pollInterval(), this::reap);
    }

    Uni<Void> reap() {
        return repository.reap()
                .chain(reaped -> reaped.isEmpty() ? Uni.createFrom().voidItem() : announce(reaped))
                .eventually(dispatcher::wake);
    }

    private Uni<Void> announce(List<DeploymentView> reaped) {
        LOG.warnf("Marked deployments %s INTERRUPTED: their replica stopped renewing its lease",
                reaped.stream().map(DeploymentView::id).toList());
        return Uni.join().all(reaped.stream().map(d -> repository.tail(d.id(), DeploymentLifecycle.TAIL_LINES)
                        .invoke(lines -> {
                            DeploymentLifecycle ended = DeploymentLifecycle.finished(d, null, lines);
                            lifecycle.fire(ended);
                            lifecycle.fireAsync(ended);
                        })).toList())
                .andCollectFailures().replaceWithVoid();
    }
}
