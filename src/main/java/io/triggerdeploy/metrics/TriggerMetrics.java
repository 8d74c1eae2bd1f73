package io.triggerdeploy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * trigger-deploy's own meters at {@code /q/metrics} (next to the JVM, HTTP and pool meters Quarkus adds):
 * deployments by final status and their durations (counted by the replica that ran them), deployments running
 * and queued (cluster-wide, read from PostgreSQL every 15 s), SSH errors by kind and failed logins.
 */
@ApplicationScoped
public class TriggerMetrics {

    private final MeterRegistry registry;
    private final Pool pool;
    private final Vertx vertx;
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private long timer = -1;

    public TriggerMetrics(MeterRegistry registry, Pool pool, Vertx vertx) {
        this.registry = registry;
        this.pool = pool;
        this.vertx = vertx;
        Gauge.builder("trigger_deployments_running", running, AtomicLong::get)
                .description("Deployments running now, on all replicas").register(registry);
        Gauge.builder("trigger_deployments_queued", queued, AtomicLong::get)
                .description("Deployments waiting in the queue, on all replicas").register(registry);
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(15_000, t -> refresh());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Reads the queue's size; a round the database misses keeps the last values. */
    void refresh() {
        pool.query("SELECT count(*) FILTER (WHERE status = 'RUNNING') AS r, count(*) FILTER (WHERE status = 'QUEUED') AS q "
                        + "FROM deployments WHERE status IN ('RUNNING', 'QUEUED')").execute()
                .subscribe().with(rows -> rows.forEach(r -> {
                    running.set(r.getLong("r"));
                    queued.set(r.getLong("q"));
                }), failure -> { });
    }

    void onDeployment(@ObservesAsync DeploymentLifecycle e) {
        if (e.phase() != DeploymentLifecycle.Phase.FINISHED) {
            return;
        }
        Counter.builder("trigger_deployments_finished_total").description("Deployments that reached a final status")
                .tag("status", e.status()).register(registry).increment();
        if (e.durationMs() != null) {
            Timer.builder("trigger_deployment_duration").description("Time from start to end of a deployment")
                    .tag("status", e.status()).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(2))
                    .register(registry).record(Duration.ofMillis(e.durationMs()));
        }
        if (e.sshFailure() != null) {
            sshError(e.sshFailure());
        }
    }

    public void sshError(String kind) {
        Counter.builder("trigger_ssh_errors_total").description("SSH failures by kind").tag("kind", kind)
                .register(registry).increment();
    }

    public void loginFailure(String reason) {
        Counter.builder("trigger_login_failures_total").description("Failed logins by reason").tag("reason", reason)
                .register(registry).increment();
    }

    public void serviceStatus(String service, String status) {
        for (String s : new String[]{"UP", "DOWN", "DEGRADED"}) {
            serviceGauge(service, s).set(s.equals(status) ? 1 : 0);
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> serviceGauges = new java.util.concurrent.ConcurrentHashMap<>();

    private AtomicLong serviceGauge(String service, String status) {
        return serviceGauges.computeIfAbsent(service + "\u0000" + status, k -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("trigger_service_status", v, AtomicLong::get)
                    .description("1 for the service's current status, 0 for the others")
                    .tag("service", service).tag("status", status).register(registry);
            return v;
        });
    }
}
