package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** The history's figures: counts by status, success rate, mean and p95 duration over the last 24 h, 7 d and 30 d. */
@ApplicationScoped
public class DeploymentStatsService {

    private final DeploymentStatsRepository repository;
    private final Uni<DeploymentStats> shared;

    public DeploymentStatsService(DeploymentStatsRepository repository) {
        this.repository = repository;
        // Percentiles over a month of history sort every row of the window (seconds with a million rows), so each
        // replica computes them at most every 15 s and shares the result; a failure is not kept.
        this.shared = Uni.createFrom().deferred(() -> windows(new Long[0])).memoize().until(new BooleanSupplier() {
            private long computedAt = System.nanoTime();

            @Override
            public boolean getAsBoolean() {
                long now = System.nanoTime();
                if (now - computedAt > 15_000_000_000L) {
                    computedAt = now;
                    return true;
                }
                return false;
            }
        });
    }

    /**
     * The figures over the servers the caller may see: the shared ones (at most 15 s old) when nothing is hidden from
     * them, otherwise computed for them (not shared, so a restricted caller's request reads the window's rows).
     */
    public Uni<DeploymentStats> stats(Access access) {
        Long[] hidden = access.hidden();
        return hidden.length == 0 ? shared : windows(hidden);
    }

    /** The figures of the last 24 h, 7 d and 30 d over the servers not in {@code hidden}, computed now. */
    private Uni<DeploymentStats> windows(Long[] hidden) {
        Map<String, DeploymentStats.Window> windows = new LinkedHashMap<>();
        return repository.stats(86_400L, hidden).invoke(w -> windows.put("24h", w))
                .chain(() -> repository.stats(7 * 86_400L, hidden)).invoke(w -> windows.put("7d", w))
                .chain(() -> repository.stats(30 * 86_400L, hidden)).invoke(w -> windows.put("30d", w))
                .map(x -> new DeploymentStats(windows));
    }
}
