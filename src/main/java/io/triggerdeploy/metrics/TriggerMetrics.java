package io.triggerdeploy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.deploy.DeploymentService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * trigger-deploy's own meters at {@code /q/metrics} (next to the JVM, HTTP and pool meters Quarkus adds):
 * deployments by final status and their durations (counted by the replica that ran them), deployments running
 * and queued (cluster-wide, read from PostgreSQL every 15 s) and SSH errors by kind. Failed logins are counted by
 * auth ({@code LoginService}), service status by monitor ({@code MonitorMetrics}).
 */
@ApplicationScoped
public class TriggerMetrics {

    private final MeterRegistry registry;
    private final DeploymentService deployments;
    private final Periodic periodic;
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();

    public TriggerMetrics(MeterRegistry registry, DeploymentService deployments, Periodic periodic) {
        this.registry = registry;
        this.deployments = deployments;
        this.periodic = periodic;
        Gauge.builder("trigger_deployments_running", running, AtomicLong::get)
                .description("Deployments running now, on all replicas").register(registry);
        Gauge.builder("trigger_deployments_queued", queued, AtomicLong::get)
                .description("Deployments waiting in the queue, on all replicas").register(registry);
    }

    void start(@Observes StartupEvent event) {
        periodic.every("Queue gauges", Duration.ofSeconds(15), Duration.ofSeconds(15), this::refresh);
    }

    /** Reads the queue's size; a round the database misses keeps the last values. */
    Uni<Void> refresh() {
        return deployments.activeCounts().invoke(c -> {
            running.set(c.running());
            queued.set(c.queued());
        }).replaceWithVoid();
    }

    void onDeployment(@ObservesAsync DeploymentLifecycle e) {
        if (e.phase() != DeploymentLifecycle.Phase.FINISHED) {
            return;
        }
        Counter.builder("trigger_deployments_finished_total").description("Deployments that reached a final status")
                .tag("status", e.status().name()).register(registry).increment();
        if (e.durationMs() != null) {
            Timer.builder("trigger_deployment_duration").description("Time from start to end of a deployment")
                    .tag("status", e.status().name()).publishPercentileHistogram()
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

}
