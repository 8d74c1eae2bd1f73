package io.triggerdeploy.monitor;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.notify.Message;
import io.triggerdeploy.notify.Notifier;
import io.triggerdeploy.notify.NotifyConfig;
import io.triggerdeploy.notify.NotifyEvent;
import io.triggerdeploy.server.ReachabilityTarget;
import io.triggerdeploy.server.ServerReachability;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.SshFailure;
import io.triggerdeploy.ssh.SshService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the checks. Every replica ticks; due services and servers are claimed in PostgreSQL (SKIP LOCKED, next time
 * moved on in the same statement), so each is checked once per interval across replicas. After a deployment, the
 * services linked to its server are checked at once. Down and recovered messages go out once, with a cooldown.
 */
@ApplicationScoped
public class MonitorScheduler implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(MonitorScheduler.class);

    private final WatchRepository repository;
    private final Checker checker;
    private final MonitorConfig config;
    private final Notifier notifier;
    private final NotifyConfig notifyConfig;
    private final MonitorMetrics metrics;
    private final ServerReachability servers;
    private final SshService ssh;
    private final Periodic periodic;

    public MonitorScheduler(WatchRepository repository, Checker checker, MonitorConfig config, Notifier notifier,
                            NotifyConfig notifyConfig, MonitorMetrics metrics, ServerReachability servers, SshService ssh,
                            Periodic periodic) {
        this.repository = repository;
        this.checker = checker;
        this.config = config;
        this.notifier = notifier;
        this.notifyConfig = notifyConfig;
        this.metrics = metrics;
        this.servers = servers;
        this.ssh = ssh;
        this.periodic = periodic;
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
        periodic.every("Service checks", config.tick(), config.tick(), this::tick);
        if (!config.serverInterval().isZero()) {
            Duration every = Duration.ofMillis(Math.max(1000, config.tick().toMillis()));
            periodic.every("Server reachability checks", every, every, this::serverTick);
        }
        periodic.every("Service check retention", Duration.ofMinutes(1), Duration.ofHours(1),
                () -> repository.purgeChecksOlderThan(config.retentionDays()));
    }

    Uni<Void> tick() {
        return repository.claimDue(20)
                .chain(due -> due.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.join().all(due.stream().map(t -> run(t, "schedule", null)).toList()).andCollectFailures().replaceWithVoid());
    }

    /** Checks one service now, stores the result, updates the metric and announces a change. */
    public Uni<WatchView.Check> run(WatchRepository.Target t, String cause, Long deploymentId) {
        return checker.check(t).chain(result -> repository.record(t.id(), result, cause, deploymentId)
                .invoke(() -> metrics.serviceStatus(t.name(), result.status()))
                .call(previous -> announce(t, result))
                .map(previous -> new WatchView.Check(0, java.time.OffsetDateTime.now(), result.status(), result.responseMs(),
                        result.statusCode(), result.error(), cause, deploymentId, t.name())));
    }

    private Uni<Void> announce(WatchRepository.Target t, CheckResult result) {
        if ("REFUSED".equals(result.status())) {
            return Uni.createFrom().voidItem(); // the policy, not the service: neither down nor recovered
        }
        boolean down = "DOWN".equals(result.status());
        return repository.claimAnnouncement(t.id(), down, config.notifyCooldown().toSeconds()).map(claimed -> {
            if (claimed) {
                notifier.publish(serviceMessage(t, result, down));
            }
            return null;
        });
    }

    private Message serviceMessage(WatchRepository.Target t, CheckResult r, boolean down) {
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
        repository.ofServer(e.deployment().serverId())
                .chain(targets -> targets.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.join().all(targets.stream().map(t -> run(t, "deployment", e.deploymentId())).toList())
                        .andCollectFailures().replaceWithVoid())
                .subscribe().with(x -> { }, f -> LOG.warnf("Post-deployment checks of deployment %d failed: %s",
                        e.deploymentId(), f.getMessage()));
    }

    /** SSH reachability: TCP connect and host key against the pin, once per interval per server across replicas. */
    Uni<Void> serverTick() {
        return servers.claimDue(config.serverInterval().toSeconds(), 5).chain(due -> due.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(due.stream().map(this::checkServer).toList()).andCollectFailures().replaceWithVoid());
    }

    private Uni<Void> checkServer(ReachabilityTarget t) {
        return Workers.run(() -> {
            try {
                HostKeys.HostKey key = ssh.scanHostKey(t.host(), t.port(), t.jump());
                if (t.hostKey() == null) {
                    return new String[]{"UNPINNED", "The SSH port answers; no host key is pinned yet"};
                }
                String pinnedFp = HostKeys.parse(t.hostKey()).fingerprint();
                if (!key.fingerprint().equals(pinnedFp)) {
                    return new String[]{"HOST_KEY_MISMATCH", "Presents " + key.fingerprint() + ", pinned " + pinnedFp};
                }
                return login(t);
            } catch (SshFailure f) {
                return new String[]{"UNREACHABLE", f.getMessage()};
            }
        }).chain(r -> servers.record(t.id(), r[0], r[1]));
    }

    /**
     * The host key matches: log in as a deployment would (running nothing). REACHABLE means a deployment could start;
     * LOGIN_FAILED says the port and key are fine but the login is refused (or there is no client key), and why.
     */
    private String[] login(ReachabilityTarget t) {
        try {
            ssh.verifyLogin(t.target());
            return new String[]{"REACHABLE", null};
        } catch (SshFailure f) {
            if (f.kind() == SshFailure.Kind.AUTH_FAILED || f.kind() == SshFailure.Kind.NO_CLIENT_KEY) {
                return new String[]{"LOGIN_FAILED", "Host key matches; the login failed: " + f.getMessage()};
            }
            return new String[]{"UNREACHABLE", f.getMessage()};
        }
    }

    /** Runs one check now for the API. */
    public Uni<WatchView.Check> checkNow(long id) {
        return repository.target(id).chain(t -> {
            if (t == null) {
                throw ProblemException.notFound("No service " + id);
            }
            return run(t, "manual", null);
        });
    }
}
