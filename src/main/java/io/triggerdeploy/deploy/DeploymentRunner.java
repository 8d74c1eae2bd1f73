package io.triggerdeploy.deploy;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.ssh.Cancellation;
import io.triggerdeploy.ssh.ExecResult;
import io.triggerdeploy.ssh.ShellQuote;
import io.triggerdeploy.ssh.SshFailure;
import io.triggerdeploy.ssh.SshService;
import io.triggerdeploy.ssh.SshTarget;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs queued deployments on this replica: a dispatcher claims work (woken by NOTIFY, or by polling),
 * a bounded pool of runner threads executes it over SSH while renewing the lease, and a reaper marks
 * deployments whose replica died INTERRUPTED. Started as the last bootstrap step, once the schema exists.
 */
@ApplicationScoped
public class DeploymentRunner implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(DeploymentRunner.class);

    private final DeploymentRepository repository;
    private final SshService ssh;
    private final Masker masker;
    private final DeployConfig config;
    private final DeployEvents events;
    private final Vertx vertx;
    private final String reactiveUrl;
    private final Optional<String> dbUser;
    private final Optional<String> dbPassword;
    private final String replica;
    private final Map<Long, Cancellation> running = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private volatile boolean wake;
    private volatile boolean stopped;
    private volatile boolean shuttingDown;
    private Semaphore slots;
    private ExecutorService runners;
    private ScheduledExecutorService scheduler;
    private ScheduledExecutorService flusher;
    private PgSubscriber subscriber;
    private Thread dispatcher;

    private final jakarta.enterprise.event.Event<DeploymentLifecycle> lifecycle;

    public DeploymentRunner(DeploymentRepository repository, SshService ssh, Masker masker, DeployConfig config,
                            DeployEvents events, Vertx vertx, jakarta.enterprise.event.Event<DeploymentLifecycle> lifecycle,
                            @ConfigProperty(name = "quarkus.datasource.reactive.url") String reactiveUrl,
                            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> dbUser,
                            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword) {
        this.repository = repository;
        this.lifecycle = lifecycle;
        this.ssh = ssh;
        this.masker = masker;
        this.config = config;
        this.events = events;
        this.vertx = vertx;
        this.reactiveUrl = reactiveUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        this.replica = replicaName();
    }

    @Override
    public int order() {
        return 100;
    }

    public String replica() {
        return replica;
    }

    @Override
    public void run() {
        scheduler = Executors.newScheduledThreadPool(1, named("deploy-scheduler"));
        flusher = Executors.newScheduledThreadPool(2, named("deploy-log-flush"));
        listen();
        scheduler.scheduleWithFixedDelay(this::reap, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.MINUTES);
        if (config.runners() == 0) {
            LOG.info("trigger.deploy.runners=0: this replica queues and serves deployments but runs none");
            return;
        }
        slots = new Semaphore(config.runners());
        runners = Executors.newFixedThreadPool(config.runners(), named("deploy-runner"));
        dispatcher = new Thread(this::dispatch, "deploy-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        LOG.infof("Deploy runner %s started with %d slots", replica, config.runners());
    }

    /**
     * SIGTERM: stop claiming, let running deployments finish within {@code trigger.deploy.shutdown-grace}, then
     * close their channels and record them INTERRUPTED with the reason, so nothing stays RUNNING.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        wake();
        if (runners != null) {
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
        }
        if (subscriber != null) {
            subscriber.close();
        }
        for (ExecutorService e : new ExecutorService[]{runners, scheduler, flusher}) {
            if (e != null) {
                e.shutdownNow();
            }
        }
    }

    /** Cancels a deployment if this replica runs it. */
    void cancelLocal(long id) {
        Cancellation c = running.get(id);
        if (c != null) {
            c.cancel();
        }
    }

    private void listen() {
        PgConnectOptions options = PgConnectOptions.fromUri(reactiveUrl);
        dbUser.ifPresent(options::setUser);
        dbPassword.ifPresent(options::setPassword);
        // named in pg_stat_activity and in the client metrics (postgresql_*{client_name="listen"}) apart from the pool
        options.setMetricsName("postgresql|listen");
        options.addProperty("application_name", "trigger-deploy-listen");
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1000L);
        subscriber.channel(DeploymentRepository.QUEUE_CHANNEL).handler(payload -> wake());
        subscriber.channel(DeploymentRepository.LOG_CHANNEL).handler(payload -> {
            try {
                events.publish(Long.parseLong(payload));
            } catch (NumberFormatException ignored) {
                // not ours
            }
        });
        subscriber.channel(DeploymentRepository.CANCEL_CHANNEL).handler(payload -> {
            try {
                cancelLocal(Long.parseLong(payload));
            } catch (NumberFormatException ignored) {
                // not ours
            }
        });
        subscriber.connect().onFailure(e -> LOG.warnf("LISTEN connection failed (%s); polling every %d ms instead",
                e.getMessage(), config.pollInterval().toMillis()));
    }

    private void wake() {
        synchronized (signal) {
            wake = true;
            signal.notifyAll();
        }
    }

    private void dispatch() {
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
            while (!stopped && slots.tryAcquire()) {
                Claim claim = claimOne();
                if (claim == null) {
                    slots.release();
                    break;
                }
                runners.submit(() -> {
                    try {
                        execute(claim);
                    } finally {
                        slots.release();
                        wake();
                    }
                });
            }
        }
    }

    private Claim claimOne() {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> repository.claim(replica, config.lease().toSeconds()));
        } catch (Throwable e) {
            // a lost race on the one-running-per-server index, or the database is away: try again later
            LOG.debugf("No claim this round: %s", e.getMessage());
            return null;
        }
    }

    private void execute(Claim c) {
        Cancellation cancel = new Cancellation();
        running.put(c.id(), cancel);
        org.jboss.logging.MDC.put("deployment_id", String.valueOf(c.id()));
        LogWriter log = new LogWriter(c.id(), repository, masker, config.logMaxBytes());
        ScheduledFuture<?> flushing = flusher.scheduleWithFixedDelay(log::flush, 200, 200, TimeUnit.MILLISECONDS);
        long leaseSeconds = config.lease().toSeconds();
        boolean[] lost = {false};
        ScheduledFuture<?> renewing = scheduler.scheduleWithFixedDelay(() -> {
            try {
                Boolean cancelRequested = VertxContextSupport.subscribeAndAwait(() -> repository.renew(c.id(), replica, leaseSeconds));
                if (cancelRequested == null) {
                    lost[0] = true;
                    cancel.cancel();
                } else if (cancelRequested) {
                    cancel.cancel();
                }
            } catch (Throwable e) {
                LOG.warnf("Could not renew the lease of deployment %d: %s", c.id(), e.getMessage());
            }
        }, Math.max(1, leaseSeconds / 3), Math.max(1, leaseSeconds / 3), TimeUnit.SECONDS);

        DeploymentStatus status;
        Integer exitCode = null;
        String error = null;
        String sshFailure = null;
        long t0 = System.nanoTime();
        lifecycle.fireAsync(new DeploymentLifecycle(DeploymentLifecycle.Phase.STARTED, c.id(), "RUNNING", null, null));
        log.system("Deploying " + c.alias() + " (" + c.user() + "@" + c.host() + ":" + c.port() + ") in " + c.path()
                + ": " + c.command() + " — requested by " + c.requestedBy() + ", run by " + replica);
        try {
            String remote = ShellQuote.remoteCommand(c.path(), c.command());
            ExecResult r = ssh.exec(new SshTarget(c.host(), c.port(), c.user(), c.hostKey(), c.keyRef()), remote, log,
                    Duration.ofSeconds(c.timeoutSeconds()), cancel);
            exitCode = r.exitCode();
            error = r.error();
            status = switch (r.outcome()) {
                case SUCCEEDED -> DeploymentStatus.SUCCEEDED;
                case FAILED -> DeploymentStatus.FAILED;
                case TIMED_OUT -> DeploymentStatus.TIMED_OUT;
                case CANCELLED -> DeploymentStatus.CANCELLED;
            };
        } catch (SshFailure f) {
            status = DeploymentStatus.FAILED;
            error = f.getMessage();
            sshFailure = f.kind().name();
        } catch (RuntimeException e) {
            status = DeploymentStatus.FAILED;
            error = "Internal error: " + e.getClass().getSimpleName();
            LOG.errorf(e, "Deployment %d failed unexpectedly", c.id());
        }
        if (lost[0]) {
            status = DeploymentStatus.INTERRUPTED;
            error = "This replica lost its claim (lease expired)";
        } else if (shuttingDown && status == DeploymentStatus.CANCELLED) {
            status = DeploymentStatus.INTERRUPTED;
            error = "Replica " + replica + " shut down before the deployment finished (grace period "
                    + config.shutdownGrace().toSeconds() + " s)";
            exitCode = null;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (error != null) {
            log.system("Error: " + error);
        }
        log.system("Finished: " + status + (exitCode == null ? "" : " (exit code " + exitCode + ")") + " in " + ms / 1000.0 + " s");
        flushing.cancel(false);
        renewing.cancel(false);
        log.flush();
        running.remove(c.id());
        DeploymentStatus finalStatus = status;
        Integer finalExit = exitCode;
        String finalError = error;
        try {
            boolean recorded = VertxContextSupport.subscribeAndAwait(() -> repository.finish(c.id(), replica, finalStatus, finalExit, finalError));
            if (!recorded) {
                LOG.warnf("Deployment %d ended %s here, but another replica had already marked it", c.id(), finalStatus);
            } else {
                lifecycle.fireAsync(new DeploymentLifecycle(DeploymentLifecycle.Phase.FINISHED, c.id(), finalStatus.name(), ms, sshFailure));
            }
        } catch (Throwable e) {
            LOG.errorf("Could not record the end of deployment %d (%s): %s; the reaper will mark it INTERRUPTED",
                    c.id(), finalStatus, e.getMessage());
        } finally {
            org.jboss.logging.MDC.remove("deployment_id");
        }
    }

    private void reap() {
        try {
            var ids = VertxContextSupport.subscribeAndAwait(repository::reap);
            if (!ids.isEmpty()) {
                LOG.warnf("Marked deployments %s INTERRUPTED: their replica stopped renewing its lease", ids);
                ids.forEach(id -> lifecycle.fireAsync(new DeploymentLifecycle(DeploymentLifecycle.Phase.FINISHED, id,
                        DeploymentStatus.INTERRUPTED.name(), null, null)));
            }
        } catch (Throwable e) {
            LOG.debugf("Reaper skipped a round: %s", e.getMessage());
        }
        wake(); // also a safety net for missed notifications
    }

    private void purge() {
        try {
            int n = VertxContextSupport.subscribeAndAwait(() -> repository.purgeOlderThan(config.logRetentionDays()));
            if (n > 0) {
                LOG.infof("Removed %d deployments (with their logs) older than %d days", n, config.logRetentionDays());
            }
        } catch (Throwable e) {
            LOG.debugf("Retention cleanup skipped: %s", e.getMessage());
        }
    }

    private static String replicaName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        return host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
