package io.triggerdeploy.deploy;

import io.quarkus.runtime.ShutdownEvent;
import io.triggerdeploy.db.BootstrapStep;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Starts the deploy engine once the schema exists (the last bootstrap step) and stops it in order at shutdown:
 * the dispatcher drains first, while leases are still renewed and LISTEN still delivers cancels.
 */
@ApplicationScoped
public class DeployEngine implements BootstrapStep {

    private final QueueListener listener;
    private final Dispatcher dispatcher;
    private final Reaper reaper;
    private final DeploymentRetention retention;

    public DeployEngine(QueueListener listener, Dispatcher dispatcher, Reaper reaper, DeploymentRetention retention) {
        this.listener = listener;
        this.dispatcher = dispatcher;
        this.reaper = reaper;
        this.retention = retention;
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void run() {
        listener.start();
        reaper.start();
        retention.start();
        dispatcher.start();
    }

    /** Before the timers stop ({@code Periodic} observes shutdown later). */
    void onStop(@Observes @Priority(10) ShutdownEvent event) {
        dispatcher.shutdown();
    }
}
