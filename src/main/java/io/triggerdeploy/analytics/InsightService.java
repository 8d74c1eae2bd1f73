package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.server.ServerGroupService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Release insight: the four DORA keys from this service's own rows, each with the performance band it falls in. The
 * bands are those of the Accelerate State of DevOps Report 2023 (DORA, Google Cloud): deployment frequency elite at
 * least daily, high at least weekly, medium at least monthly; lead time elite under a day, high under a week, medium
 * under a month; time to restore elite under an hour, high under a day, medium under a week; the change failure rate,
 * which the report gives as one value per cluster (5 %, 10 %, 15 %, 64 %), by the nearest one.
 */
@ApplicationScoped
public class InsightService {

    /** The report the bands come from. */
    public static final String EDITION = "Accelerate State of DevOps Report 2023 (DORA)";
    /** The most weeks a trend shows (the latest ones of the period). */
    static final int TREND_WEEKS = 13;
    private static final long DAY = 86_400;

    private final InsightRepository repository;
    private final InsightFactsRepository facts;
    private final InsightConfig config;
    private final ServerGroupService groups;

    public InsightService(InsightRepository repository, InsightFactsRepository facts, InsightConfig config, ServerGroupService groups) {
        this.repository = repository;
        this.facts = facts;
        this.config = config;
        this.groups = groups;
    }

    /** The report over [from, to) (default: the 30 days up to now), narrowed to an environment and/or a server the caller sees. */
    public Uni<InsightReport> report(String fromText, String toText, String environment, String server, Access access) {
        return report(fromText, toText, environment, server, null, access);
    }

    /** The same, narrowed to a group of servers too (its name or id; 404 for one the caller cannot see). */
    public Uni<InsightReport> report(String fromText, String toText, String environment, String server, String group, Access access) {
        return scoped(fromText, toText, environment, server, group, access).map(Scoped::report);
    }

    private Uni<Scoped> scoped(String fromText, String toText, String environment, String server, String group, Access access) {
        OffsetDateTime to = toText == null || toText.isBlank() ? OffsetDateTime.now(ZoneOffset.UTC) : time("to", toText, true);
        OffsetDateTime from = fromText == null || fromText.isBlank() ? to.minusDays(30) : time("from", fromText, false);
        if (!from.isBefore(to)) {
            throw ProblemException.invalid("from", "must be before to");
        }
        if (Duration.between(from, to).toDays() > 366) {
            throw ProblemException.invalid("from", "the period may span at most 366 days");
        }
        String env = environment == null || environment.isBlank() ? null : environment.strip();
        String alias = server == null || server.isBlank() ? null : server.strip();
        Long[] hidden = access.hidden();
        Uni<Long> known = alias == null ? Uni.createFrom().nullItem() : repository.serverId(alias, hidden);
        return known.chain(id -> {
            if (alias != null && id == null) {
                throw ProblemException.notFound("No server '" + alias + "'");
            }
            return members(group, access).chain(ids -> facts.refresh(config.failureWindow().toSeconds())
                    .chain(() -> repository.find(from, to, env, id, hidden, ids))
                    .map(f -> new Scoped(report(from, to, env, alias, group == null || group.isBlank() ? null : group.strip(), f), id, ids)));
        });
    }

    /** A report with the server and group ids it was narrowed to, for the trend's weeks. */
    private record Scoped(InsightReport report, Long serverId, Long[] group) {
    }

    /** A group's servers (null: no group asked for); 404 for a group the caller cannot see. */
    private Uni<Long[]> members(String group, Access access) {
        return group == null || group.isBlank() ? Uni.createFrom().nullItem()
                : groups.get(group.strip(), access).map(g -> g.serverIds().toArray(Long[]::new));
    }

    /** The environments deployed to in the last year on servers the caller sees, for choosing one. */
    public Uni<List<String>> environments(Access access) {
        return repository.environmentsSeen(access.hidden());
    }

    /** One week of the trend: its start, and the week's own figures. */
    public record Week(OffsetDateTime start, long deployments, @Schema(nullable = true)
                       Long leadTimeMedianSeconds, @Schema(nullable = true) Double changeFailureRate,
                       @Schema(nullable = true) Long timeToRestoreMedianSeconds) {
    }

    /** The figures week by week, the weeks counted back from {@code to} (at most the last {@value #TREND_WEEKS}), oldest first. */
    public Uni<List<Week>> trend(String fromText, String toText, String environment, String server, String group, Access access) {
        return scoped(fromText, toText, environment, server, group, access).chain(scoped -> {
            InsightReport r = scoped.report();
            long weeks = Math.min(TREND_WEEKS, Math.max(1, (long) Math.ceil(Duration.between(r.from(), r.to()).toSeconds() / (7.0 * DAY))));
            Uni<List<Week>> all = Uni.createFrom().item(new java.util.ArrayList<>());
            for (long w = weeks - 1; w >= 0; w--) {
                OffsetDateTime end = r.to().minusDays(7 * w);
                OffsetDateTime start = end.minusDays(7).isBefore(r.from()) ? r.from() : end.minusDays(7);
                all = all.chain(list -> repository.find(start, end, r.environment(), scoped.serverId(), access.hidden(), scoped.group())
                        .map(f -> {
                            InsightReport one = report(start, end, r.environment(), r.server(), r.group(), f);
                            list.add(new Week(start, one.deploymentFrequency().deployments(), one.leadTime().medianSeconds(),
                                    one.changeFailureRate().rate(), one.timeToRestore().medianSeconds()));
                            return list;
                        }));
            }
            return all;
        });
    }

    private InsightReport report(OffsetDateTime from, OffsetDateTime to, String env, String alias, String group, InsightRepository.Found f) {
        double days = Duration.between(from, to).toSeconds() / (double) DAY;
        double perDay = Math.round(f.succeeded() / days * 1000) / 1000.0;
        InsightReport.Frequency frequency = new InsightReport.Frequency(f.succeeded(), perDay,
                f.succeeded() == 0 ? "low" : perDay >= 1 ? "elite" : perDay >= 1 / 7.0 ? "high" : perDay >= 1 / 30.0 ? "medium" : "low");
        Long leadMedian = f.lead().median();
        InsightReport.LeadTime lead = new InsightReport.LeadTime(leadMedian, f.lead().p90(), f.lead().count(),
                leadMedian == null ? null : leadMedian < DAY ? "elite" : leadMedian < 7 * DAY ? "high" : leadMedian < 30 * DAY ? "medium" : "low");
        Double rate = f.deployments() == 0 ? null : Math.round(f.failed() * 10000.0 / f.deployments()) / 10000.0;
        InsightReport.FailureRate failures = new InsightReport.FailureRate(rate, f.failed(), f.deployments(),
                rate == null ? null : rate < 0.075 ? "elite" : rate < 0.125 ? "high" : rate < 0.395 ? "medium" : "low");
        Long restoreMedian = f.restore().median();
        InsightReport.Restore restore = new InsightReport.Restore(restoreMedian, f.restore().p90(), f.restore().count(),
                restoreMedian == null ? null : restoreMedian < 3600 ? "elite" : restoreMedian < DAY ? "high" : restoreMedian < 7 * DAY ? "medium" : "low");
        return new InsightReport(from, to, env, alias, group, frequency, lead, failures, restore, definitions());
    }

    /** The definitions shown next to the figures. */
    Map<String, String> definitions() {
        String window = human(config.failureWindow());
        Map<String, String> d = new LinkedHashMap<>();
        d.put("deployment_frequency", "SUCCEEDED deployments that ended in the period, and per day. Deployments that never started "
                + "(rejected, expired, superseded, cancelled before start) count nowhere.");
        d.put("lead_time", "For each version (REF) whose first SUCCEEDED deployment in an environment (a server without one is its "
                + "own) ended in the period: from its commit's time, as the first signed push that carried it said, or else from the "
                + "first time the version was asked for, to that deployment's end; median and 90th percentile.");
        d.put("change_failure_rate", "Of the deployments that ran and ended in the period, those that FAILED, TIMED_OUT or were "
                + "INTERRUPTED (a failed verify step fails the deployment), and those SUCCEEDED that were followed within " + window
                + " by a deployment on the same server (a rollback or not) of another version that had succeeded there before "
                + "them, or by a watched service of that server going DOWN (trigger.insight.failure-window).");
        d.put("time_to_restore", "Incidents that began in the period and were restored: a watched service of the server going DOWN "
                + "(from UP, DEGRADED or never checked) within " + window + " after a successful deployment, until its next UP check; a failed deployment, until the "
                + "server's next SUCCEEDED one (failures in a row are one incident); median and 90th percentile.");
        d.put("bands", EDITION + ": deployment frequency elite >= 1 a day, high >= 1 a week, medium >= 1 a month; lead time elite "
                + "< 1 day, high < 1 week, medium < 1 month; change failure rate by the nearest of the clusters' 5 %, 10 %, 15 %, 64 %; "
                + "time to restore elite < 1 hour, high < 1 day, medium < 1 week; low otherwise.");
        return d;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + " h" : s % 60 == 0 ? s / 60 + " min" : s + " s";
    }

    /** A date (its start, or for {@code to} its end) or a date and time with an offset. */
    private static OffsetDateTime time(String field, String text, boolean end) {
        String t = text.strip();
        try {
            if (t.length() == 10) {
                LocalDate day = LocalDate.parse(t);
                return (end ? day.plusDays(1) : day).atStartOfDay().atOffset(ZoneOffset.UTC);
            }
            return OffsetDateTime.parse(t);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be a date (2026-11-30) or a date and time with an offset (2026-11-30T12:00:00Z)");
        }
    }
}
