package io.triggerdeploy.monitor;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.deploy.DeploymentRepository;
import io.triggerdeploy.metrics.TriggerMetrics;
import io.triggerdeploy.notify.Message;
import io.triggerdeploy.notify.Notifier;
import io.triggerdeploy.notify.NotifyConfig;
import io.triggerdeploy.notify.NotifyEvent;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.SshFailure;
import io.triggerdeploy.ssh.SshService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the checks. Every replica ticks; due services and servers are claimed in PostgreSQL (SKIP LOCKED, next time
 * moved on in the same statement), so each is checked once per interval across replicas. After a deployment, the
 * services linked to its server are checked at once. Down and recovered messages go out once, with a cooldown.
 */
@ApplicationScoped
public class MonitorScheduler implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(MonitorScheduler.class);

    private final ServiceRepository repository;
    private final Checker checker;
    private final MonitorConfig config;
    private final Notifier notifier;
    private final NotifyConfig notifyConfig;
    private final TriggerMetrics metrics;
    private final DeploymentRepository deployments;
    private final SshService ssh;
    private final Pool pool;
    private final Vertx vertx;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean serversBusy = new AtomicBoolean();
    private final List<Long> timers = new ArrayList<>();

    public MonitorScheduler(ServiceRepository repository, Checker checker, MonitorConfig config, Notifier notifier,
                            NotifyConfig notifyConfig, TriggerMetrics metrics, DeploymentRepository deployments, SshService ssh,
                            Pool pool, Vertx vertx) {
        this.repository = repository;
        this.checker = checker;
        this.config = config;
        this.notifier = notifier;
        this.notifyConfig = notifyConfig;
        this.metrics = metrics;
        this.deployments = deployments;
        this.ssh = ssh;
        this.pool = pool;
        this.vertx = vertx;
    }

    @Override
    public int order() {
        return 110;
    }

    @Override
    public void run() {
        if (!config.enabled()) {
            LOG.info("trigger.monitor.enabled=false: this replica runs no scheduled checks");
            return;
        }
        timers.add(vertx.setPeriodic(config.tick().toMillis(), t -> tick()));
        if (!config.serverInterval().isZero()) {
            timers.add(vertx.setPeriodic(Math.max(1000, config.tick().toMillis()), t -> serverTick()));
        }
        timers.add(vertx.setPeriodic(3_600_000L, t -> repository.purgeChecksOlderThan(config.retentionDays())
                .subscribe().with(n -> { }, e -> { })));
    }

    void stop(@Observes ShutdownEvent event) {
        timers.forEach(vertx::cancelTimer);
    }

    void tick() {
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        repository.claimDue(20)
                .chain(due -> due.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.join().all(due.stream().map(t -> run(t, "schedule", null)).toList()).andCollectFailures().replaceWithVoid())
                .subscribe().with(x -> busy.set(false), e -> {
                    busy.set(false);
                    LOG.debugf("Service checks skipped a round: %s", e.getMessage());
                });
    }

    /** Checks one service now, stores the result, updates the metric and announces a change. */
    public Uni<ServiceView.Check> run(ServiceRepository.Target t, String cause, Long deploymentId) {
        return checker.check(t).chain(result -> repository.record(t.id(), result, cause, deploymentId)
                .invoke(() -> metrics.serviceStatus(t.name(), result.status()))
                .call(previous -> announce(t, result))
                .map(previous -> new ServiceView.Check(0, java.time.OffsetDateTime.now(), result.status(), result.responseMs(),
                        result.statusCode(), result.error(), cause, deploymentId, t.name())));
    }

    private Uni<Void> announce(ServiceRepository.Target t, CheckResult result) {
        boolean down = "DOWN".equals(result.status());
        return repository.claimAnnouncement(t.id(), down, config.notifyCooldown().toSeconds()).map(claimed -> {
            if (claimed) {
                notifier.publish(serviceMessage(t, result, down));
            }
            return null;
        });
    }

    private Message serviceMessage(ServiceRepository.Target t, CheckResult r, boolean down) {
        NotifyEvent event = down ? NotifyEvent.SERVICE_DOWN : NotifyEvent.SERVICE_RECOVERED;
        String subject = "[trigger-deploy] " + t.name() + (down ? " is DOWN" : " recovered (" + r.status() + ")");
        StringBuilder text = new StringBuilder().append("Service: ").append(t.name()).append('\n')
                .append("Target: ").append(t.target()).append('\n').append("Status: ").append(r.status()).append('\n');
        if (r.statusCode() != null) {
            text.append("HTTP status: ").append(r.statusCode()).append('\n');
        }
        if (r.responseMs() != null) {
            text.append("Response time: ").append(r.responseMs()).append(" ms\n");
        }
        if (r.error() != null) {
            text.append("Problem: ").append(r.error()).append('\n');
        }
        notifyConfig.publicUrl().ifPresent(u -> text.append("Details: ").append(u.replaceAll("/+$", "")).append("/services\n"));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("service_id", t.id());
        payload.put("service", t.name());
        payload.put("target", t.target());
        payload.put("status", r.status());
        payload.put("status_code", r.statusCode());
        payload.put("response_ms", r.responseMs());
        payload.put("error", r.error());
        return new Message(event, subject, text.toString(), payload);
    }

    /** After a deployment, its server's services are checked at once (on the replica that ran it). */
    void afterDeployment(@ObservesAsync DeploymentLifecycle e) {
        if (e.phase() != DeploymentLifecycle.Phase.FINISHED) {
            return;
        }
        deployments.find(e.deploymentId())
                .chain(d -> d == null ? Uni.createFrom().item(List.<ServiceRepository.Target>of()) : repository.ofServer(d.serverId()))
                .chain(targets -> targets.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.join().all(targets.stream().map(t -> run(t, "deployment", e.deploymentId())).toList())
                        .andCollectFailures().replaceWithVoid())
                .subscribe().with(x -> { }, f -> LOG.warnf("Post-deployment checks of deployment %d failed: %s",
                        e.deploymentId(), f.getMessage()));
    }

    /** SSH reachability: TCP connect and host key against the pin, once per interval per server across replicas. */
    void serverTick() {
        if (!serversBusy.compareAndSet(false, true)) {
            return;
        }
        pool.preparedQuery("UPDATE servers s SET next_reachability_check_at = now() + make_interval(secs => $1) "
                        + "FROM (SELECT id FROM servers WHERE active AND next_reachability_check_at <= now() "
                        + "ORDER BY next_reachability_check_at LIMIT 5 FOR UPDATE SKIP LOCKED) due WHERE s.id = due.id "
                        + "RETURNING s.id, s.host, s.port, s.host_key")
                .execute(Tuple.of(config.serverInterval().toSeconds()))
                .chain(rows -> {
                    List<Uni<Void>> checks = new ArrayList<>();
                    rows.forEach(r -> checks.add(checkServer(r)));
                    return checks.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(checks).andCollectFailures().replaceWithVoid();
                })
                .subscribe().with(x -> serversBusy.set(false), e -> {
                    serversBusy.set(false);
                    LOG.debugf("Server reachability checks skipped a round: %s", e.getMessage());
                });
    }

    private Uni<Void> checkServer(Row r) {
        long id = r.getLong("id");
        String host = r.getString("host");
        int port = r.getInteger("port");
        String pinned = r.getString("host_key");
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
                    try {
                        HostKeys.HostKey key = ssh.scanHostKey(host, port);
                        if (pinned == null) {
                            return new String[]{"UNPINNED", "The SSH port answers; no host key is pinned yet"};
                        }
                        String pinnedFp = HostKeys.parse(pinned).fingerprint();
                        return key.fingerprint().equals(pinnedFp) ? new String[]{"REACHABLE", null}
                                : new String[]{"HOST_KEY_MISMATCH", "Presents " + key.fingerprint() + ", pinned " + pinnedFp};
                    } catch (SshFailure f) {
                        return new String[]{"UNREACHABLE", f.getMessage()};
                    }
                }), false)
                .chain(s -> pool.preparedQuery("UPDATE servers SET reachability = $2, reachability_error = $3, "
                                + "reachability_checked_at = now(), last_seen_at = CASE WHEN $2 = 'REACHABLE' THEN now() ELSE last_seen_at END "
                                + "WHERE id = $1")
                        .execute(Tuple.of(id, s[0], s[1] == null ? null : s[1].length() > 500 ? s[1].substring(0, 500) : s[1])))
                .replaceWithVoid();
    }

    /** Runs one check now for the API. */
    public Uni<ServiceView.Check> checkNow(long id) {
        return repository.target(id).chain(t -> {
            if (t == null) {
                throw io.triggerdeploy.common.ProblemException.notFound("No service " + id);
            }
            return run(t, "manual", null);
        });
    }
}
