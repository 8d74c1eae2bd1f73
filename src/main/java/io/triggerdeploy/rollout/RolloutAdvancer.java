package io.triggerdeploy.rollout;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.deploy.Dispatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves this replica's share of the rollouts along: one thread that looks at the rollouts due every poll interval, and
 * at once when a host of a rollout ends here or someone acts on a rollout. Each rollout is stepped under its row lock
 * (a rollout another replica is stepping is skipped), until a step changes nothing.
 */
@ApplicationScoped
public class RolloutAdvancer implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(RolloutAdvancer.class);
    /** Steps of one rollout in one round, at most (a wave of 1,000 hosts with max_in_flight 1,000 is one step). */
    private static final int MAX_STEPS = 50;

    private final RolloutRepository repository;
    private final RolloutEngine engine;
    private final RolloutConfig config;
    private final Dispatcher dispatcher;
    private final Object signal = new Object();
    private volatile boolean wake;
    private volatile boolean stopped;
    private int failures;
    /** Rollouts a host of which ended here since the last round. */
    private final Set<Long> ended = ConcurrentHashMap.newKeySet();

    public RolloutAdvancer(RolloutRepository repository, RolloutEngine engine, RolloutConfig config, Dispatcher dispatcher) {
        this.repository = repository;
        this.engine = engine;
        this.config = config;
        this.dispatcher = dispatcher;
    }

    @Override
    public int order() {
        return 105;
    }

    @Override
    public void run() {
        Thread t = new Thread(this::loop, "rollout-advancer");
        t.setDaemon(true);
        t.start();
    }

    /** Something about a rollout changed: look now. */
    public void wake() {
        synchronized (signal) {
            wake = true;
            signal.notifyAll();
        }
    }

    /**
     * A host of a rollout ended (here, or reaped here): look now. Observed synchronously, on the thread that recorded the
     * end, so the next wave does not wait behind the notifications and other asynchronous observers of the same event.
     */
    void hostEnded(@Observes DeploymentLifecycle e) {
        if (e.phase() == DeploymentLifecycle.Phase.FINISHED && e.deployment().rolloutId() != null) {
            ended.add(e.deployment().rolloutId());
            wake();
        }
    }

    private void loop() {
        while (!stopped) {
            synchronized (signal) {
                if (!wake) {
                    try {
                        signal.wait(config.pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wake = false;
            }
            if (!stopped) {
                round();
            }
        }
    }

    /**
     * Every rollout due, each stepped until it rests; a failure is logged (once while it lasts) and retried next round, and
     * one rollout's failure does not hold the others back.
     */
    void round() {
        // the rollouts whose host just ended here first, before the query for the others: a wave's gate is checked and
        // the next wave queued without waiting for it
        Set<Long> stepped = new HashSet<>();
        boolean ok = true;
        for (Iterator<Long> it = ended.iterator(); it.hasNext() && !stopped; ) {
            long id = it.next();
            it.remove();
            stepped.add(id);
            ok &= advance(id);
        }
        List<Long> due;
        try {
            due = VertxContextSupport.subscribeAndAwait(repository::due);
        } catch (Throwable e) {
            failed(e);
            return;
        }
        for (long id : due) {
            if (!stepped.contains(id)) {
                ok &= advance(id);
            }
        }
        if (ok && failures > 0) {
            LOG.infof("Rollouts advance again after %d failed round(s)", failures);
            failures = 0;
        }
    }

    /** Steps one rollout until a step changes nothing; false when a step failed (logged, tried again next round). */
    private boolean advance(long id) {
        try {
            for (int i = 0; i < MAX_STEPS && !stopped; i++) {
                if (!VertxContextSupport.subscribeAndAwait(() -> engine.step(id))) {
                    break;
                }
                // a step may have queued a wave: this replica's runners look at once (the NOTIFY tells the others)
                dispatcher.wake();
            }
            return true;
        } catch (Throwable e) {
            failed(e);
            return false;
        }
    }

    private void failed(Throwable e) {
        if (failures++ == 0) {
            LOG.warnf("Advancing rollouts failed: %s (retrying every %d ms)", e.getMessage(), config.pollInterval().toMillis());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        wake();
    }
}
