package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.common.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Deployment analytics over whole UTC days: today and the {@code days - 1} days before it. */
@ApplicationScoped
public class AnalyticsService {

    private final AnalyticsRepository repository;

    public AnalyticsService(AnalyticsRepository repository) {
        this.repository = repository;
    }

    /** The report over the servers the caller may see. */
    public Uni<AnalyticsReport> report(int days, Access access) {
        return report(days, null, access);
    }

    /** The report for one server (by alias) or, with {@code server} null, for all the caller may see. */
    public Uni<AnalyticsReport> report(int days, String server, Access access) {
        if (days < 1 || days > 366) {
            throw ProblemException.invalid("days", "must be between 1 and 366");
        }
        OffsetDateTime to = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime from = to.truncatedTo(ChronoUnit.DAYS).minusDays(days - 1L);
        String alias = server == null || server.isBlank() ? null : server.trim();
        return repository.report(days, from, to, alias, access.hidden());
    }
}
