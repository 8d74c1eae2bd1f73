package io.triggerdeploy.analytics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.common.Periodic;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The four keys as Prometheus series, per environment deployed to in the last 30 days, over those 30 days (read from
 * PostgreSQL every 5 minutes; a figure without data, such as a lead time with no change, is NaN):
 * {@code trigger_insight_deployments_per_day}, {@code trigger_insight_lead_time_median_seconds},
 * {@code trigger_insight_change_failure_ratio}, {@code trigger_insight_time_to_restore_median_seconds}.
 */
@ApplicationScoped
public class InsightMetrics {

    static final int DAYS = 30;

    private final MeterRegistry registry;
    private final InsightService insight;
    private final InsightRepository repository;
    private final Periodic periodic;
    /** Per environment: per day, lead time median, failure ratio, time to restore median. */
    private final Map<String, double[]> figures = new ConcurrentHashMap<>();

    public InsightMetrics(MeterRegistry registry, InsightService insight, InsightRepository repository, Periodic periodic) {
        this.registry = registry;
        this.insight = insight;
        this.repository = repository;
        this.periodic = periodic;
    }

    void start(@Observes StartupEvent event) {
        periodic.every("Insight gauges", Duration.ofSeconds(30), Duration.ofMinutes(5), this::refresh);
    }

    /** Reads the figures of every environment deployed to lately; a round the database misses keeps the last values. */
    public Uni<Void> refresh() {
        return repository.recentEnvironments(DAYS).onItem().transformToMulti(envs -> Multi.createFrom().iterable(envs))
                .onItem().transformToUniAndConcatenate(env -> insight.report(null, null, env, null, Access.everything()).invoke(r -> {
                    double[] f = figures.computeIfAbsent(env, this::register);
                    f[0] = r.deploymentFrequency().perDay();
                    f[1] = r.leadTime().medianSeconds() == null ? Double.NaN : r.leadTime().medianSeconds();
                    f[2] = r.changeFailureRate().rate() == null ? Double.NaN : r.changeFailureRate().rate();
                    f[3] = r.timeToRestore().medianSeconds() == null ? Double.NaN : r.timeToRestore().medianSeconds();
                })).collect().last().replaceWithVoid();
    }

    private double[] register(String env) {
        double[] f = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        gauge("trigger_insight_deployments_per_day", "Successful deployments per day over the last 30 days", env, f, 0);
        gauge("trigger_insight_lead_time_median_seconds", "Median lead time for changes over the last 30 days, from the commit", env, f, 1);
        gauge("trigger_insight_change_failure_ratio", "Share of deployments in the last 30 days that were change failures", env, f, 2);
        gauge("trigger_insight_time_to_restore_median_seconds", "Median time to restore of incidents in the last 30 days", env, f, 3);
        return f;
    }

    private void gauge(String name, String description, String env, double[] f, int i) {
        Gauge.builder(name, f, v -> v[i]).description(description).tag("environment", env).register(registry);
    }
}
