package io.triggerdeploy.deploy;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.ssh.Cancellation;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Claims queued deployments for this replica while it has free slots ({@code trigger.deploy.runners}), woken by
 * NOTIFY or every poll interval, and hands each claim to a runner thread. At shutdown it stops claiming, lets
 * running deployments finish within the grace period, then interrupts them.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    /** Claims taken in one statement at most (a wave of ten starts together; a long queue is shared with the other replicas). */
    private static final int CLAIM_BATCH = 10;

    private final DeploymentRepository repository;
    private final DeploymentExecutor executor;
    private final DeployConfig config;
    private final String replica;
    private final Map<Long, Cancellation> running = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private volatile boolean wake;
    private volatile boolean stopped;
    private volatile boolean shuttingDown;
    private Semaphore slots;
    private ExecutorService runners;

    public Dispatcher(DeploymentRepository repository, DeploymentExecutor executor, DeployConfig config, ReplicaName replica) {
        this.repository = repository;
        this.executor = executor;
        this.config = config;
        this.replica = replica.get();
    }

    void start() {
        if (config.runners() == 0) {
            LOG.info("trigger.deploy.runners=0: this replica queues and serves deployments but runs none");
            return;
        }
        slots = new Semaphore(config.runners());
        AtomicInteger n = new AtomicInteger();
        runners = Executors.newFixedThreadPool(config.runners(), r -> daemon(r, "deploy-runner-" + n.incrementAndGet()));
        daemon(this::loop, "deploy-dispatcher").start();
        LOG.infof("Deploy runner %s started with %d slots", replica, config.runners());
    }

    /** Something in the queue changed (or might have): look again now. */
    public void wake() {
        synchronized (signal) {
            wake = true;
            signal.notifyAll();
        }
    }

    /** Cancels a deployment if this replica runs it. */
    void cancelLocal(long id) {
        Cancellation c = running.get(id);
        if (c != null) {
            c.cancel();
        }
    }

    private void loop() {
        while (!stopped) {
            if (!await()) {
                return;
            }
            while (!stopped) {
                int free = Math.min(slots.availablePermits(), CLAIM_BATCH);
                if (free == 0 || !slots.tryAcquire(free)) {
                    break;
                }
                List<Claim> claims = claim(free);
                slots.release(free - claims.size());
                claims.forEach(c -> runners.submit(() -> run(c)));
                if (claims.size() < free) {
                    break; // the queue has nothing more for this replica now
                }
            }
        }
    }

    private boolean await() {
        synchronized (signal) {
            if (!wake) {
                try {
                    signal.wait(config.pollInterval().toMillis());
                } catch (InterruptedException e) {
                    return false;
                }
            }
            wake = false;
            return true;
        }
    }

    private void run(Claim claim) {
        Cancellation cancel = new Cancellation();
        running.put(claim.id(), cancel);
        try {
            executor.execute(claim, cancel, () -> shuttingDown);
        } finally {
            running.remove(claim.id());
            slots.release();
            wake();
        }
    }

    /** Up to {@code n} claims in one statement; none when the queue has nothing or the claim failed. */
    private List<Claim> claim(int n) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> repository.claim(replica, config.lease().toSeconds(), n));
        } catch (Throwable e) {
            // a lost race on the one-running-per-server index, or the database is away: try again later
            LOG.debugf("No claim this round: %s", e.getMessage());
            return List.of();
        }
    }

    /**
     * SIGTERM: stop claiming, let running deployments finish within {@code trigger.deploy.shutdown-grace}, then
     * close their channels; they are recorded INTERRUPTED with the reason, so nothing stays RUNNING.
     */
    void shutdown() {
        stopped = true;
        wake();
        if (runners == null) {
            return;
        }
        runners.shutdown();
        try {
            if (!running.isEmpty()) {
                LOG.infof("Shutting down: waiting up to %d s for %d running deployment(s)",
                        config.shutdownGrace().toSeconds(), running.size());
            }
            if (!runners.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                shuttingDown = true;
                running.values().forEach(Cancellation::cancel);
                runners.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runners.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
