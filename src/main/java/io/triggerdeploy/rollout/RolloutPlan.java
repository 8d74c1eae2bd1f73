package io.triggerdeploy.rollout;

import io.triggerdeploy.common.ProblemException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The waves of a rollout from its request and its frozen, ordered set of servers: all at once, rolling in batches, or
 * canary then cumulative waves ({@code [1, "10%", "50%", "100%"]}: each entry is how many servers have been reached
 * when that wave ends). Every refusal names its field. Pure: the dry run and the real rollout compute the same plan.
 */
public final class RolloutPlan {

    public static final int MAX_HOSTS = 1000;
    static final List<String> STRATEGIES = List.of("all_at_once", "rolling", "canary");
    static final List<String> ON_BREACH = List.of("pause", "abort", "rollback");

    private RolloutPlan() {
    }

    /** A server of the set. */
    public record Host(long serverId, String alias) {
    }

    /** What will run: the waves in order, the in-flight limit within a wave, the failure budget over the rollout. */
    public record Plan(String strategy, List<List<Host>> waves, int maxInFlight, int maxFailures, String onBreach, JsonObject spec) {
        int hosts() {
            return waves.stream().mapToInt(List::size).sum();
        }
    }

    public static Plan of(RolloutRequest r, List<Host> hosts) {
        int n = hosts.size();
        if (n == 0) {
            throw ProblemException.invalid("target", "matches no active server");
        }
        if (n > MAX_HOSTS) {
            throw ProblemException.invalid("target", "matches " + n + " servers; a rollout takes at most " + MAX_HOSTS);
        }
        String strategy = choice(r.strategy(), "strategy", STRATEGIES, "rolling");
        refuseOutside(r, strategy);
        List<List<Host>> waves = switch (strategy) {
            case "all_at_once" -> List.of(List.copyOf(hosts));
            case "rolling" -> batches(hosts, r.batch() == null ? 1 : count(r.batch(), "batch", n, 1, true));
            default -> canary(r, hosts);
        };
        int widest = waves.stream().mapToInt(List::size).max().orElse(1);
        int maxInFlight = r.maxInFlight() == null ? widest : range(r.maxInFlight(), "max_in_flight", 1, MAX_HOSTS);
        int maxFailures = r.maxFailures() == null ? 0 : count(r.maxFailures(), "max_failures", n, 0, false);
        String onBreach = choice(r.onBreach(), "on_breach", ON_BREACH, "pause");
        JsonObject spec = new JsonObject()
                .put("soak_seconds", r.soakSeconds() == null ? 0 : range(r.soakSeconds(), "soak_seconds", 0, 86_400))
                .put("max_error_lines", r.maxErrorLines() == null ? 0 : range(r.maxErrorLines(), "max_error_lines", 0, 1_000_000))
                .put("promote", Boolean.TRUE.equals(r.promote()))
                .put("promote_timeout", r.promoteTimeout() == null ? 3600 : range(r.promoteTimeout(), "promote_timeout", 60, 604_800))
                .put("resume_after_freeze", Boolean.TRUE.equals(r.resumeAfterFreeze()))
                .put("retry_interrupted", Boolean.TRUE.equals(r.retryInterrupted()));
        if (r.errorPattern() != null && !r.errorPattern().isBlank()) {
            spec.put("error_pattern", r.errorPattern());
        }
        if (Boolean.TRUE.equals(r.promote()) && waves.size() < 2) {
            throw ProblemException.invalid("promote", "needs a rollout of two waves or more (it gates the second)");
        }
        return new Plan(strategy, waves, maxInFlight, maxFailures, onBreach, spec);
    }

    private static void refuseOutside(RolloutRequest r, String strategy) {
        if (r.batch() != null && !"rolling".equals(strategy)) {
            throw ProblemException.invalid("batch", "applies to strategy rolling only");
        }
        if (r.canary() != null && !"canary".equals(strategy)) {
            throw ProblemException.invalid("canary", "applies to strategy canary only");
        }
        if (r.waves() != null && !"canary".equals(strategy)) {
            throw ProblemException.invalid("waves", "applies to strategy canary only");
        }
    }

    private static List<List<Host>> batches(List<Host> hosts, int batch) {
        List<List<Host>> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i += batch) {
            out.add(List.copyOf(hosts.subList(i, Math.min(hosts.size(), i + batch))));
        }
        return out;
    }

    /** The canary servers first (named, or the first K), then each wave up to its cumulative count. */
    private static List<List<Host>> canary(RolloutRequest r, List<Host> hosts) {
        int n = hosts.size();
        List<Host> ordered = new ArrayList<>(hosts);
        int k;
        if (r.canary() instanceof List<?> names) {
            if (names.isEmpty() || names.size() >= n) {
                throw ProblemException.invalid("canary", "must name 1 to " + (n - 1) + " of the rollout's " + n + " servers");
            }
            Set<Host> chosen = new LinkedHashSet<>();
            for (Object name : names) {
                Host h = hosts.stream().filter(x -> name != null && (x.alias().equalsIgnoreCase(String.valueOf(name).trim())
                        || String.valueOf(x.serverId()).equals(String.valueOf(name).trim()))).findFirst()
                        .orElseThrow(() -> ProblemException.invalid("canary", "'" + printable(name) + "' is not one of the rollout's servers"));
                if (!chosen.add(h)) {
                    throw ProblemException.invalid("canary", "names '" + h.alias() + "' twice");
                }
            }
            ordered.removeAll(chosen);
            ordered.addAll(0, chosen);
            k = chosen.size();
        } else if (r.canary() != null) {
            k = count(r.canary(), "canary", n, 1, true);
        } else {
            k = r.waves() == null || r.waves().isEmpty() ? 1 : count(r.waves().get(0), "waves[0]", n, 1, true);
        }
        if (k >= n) {
            throw ProblemException.invalid("canary", "takes " + k + " of " + n + " servers; leave at least one for the waves after it");
        }
        List<Integer> ends = ends(r.waves(), n, k);
        List<List<Host>> out = new ArrayList<>();
        int from = 0;
        for (int end : ends) {
            out.add(List.copyOf(ordered.subList(from, end)));
            from = end;
        }
        return out;
    }

    /** Where each wave ends (cumulative counts), the canary's first; refused unless they grow and end at every server. */
    private static List<Integer> ends(List<Object> waves, int n, int k) {
        List<Integer> ends = new ArrayList<>();
        ends.add(k);
        if (waves == null || waves.isEmpty()) {
            ends.add(n);
            return ends;
        }
        if (waves.size() > 100) {
            throw ProblemException.invalid("waves", "takes at most 100 entries");
        }
        for (int i = 0; i < waves.size(); i++) {
            int end = count(waves.get(i), "waves[" + i + "]", n, 1, false);
            int last = ends.get(ends.size() - 1);
            if (end < last && i > 0) {
                throw ProblemException.invalid("waves", "must grow: entry " + i + " reaches " + end + " servers, after " + last);
            }
            if (end > last) {
                ends.add(end);
            }
        }
        if (ends.get(ends.size() - 1) != n) {
            throw ProblemException.invalid("waves", "must end at \"100%\" (or " + n + ", the number of servers) so that every "
                    + "server is in a wave");
        }
        return ends;
    }

    /**
     * A count out of {@code n}: a whole number (more than n is n for sizes, refused for budgets) or a percentage "P%"
     * of n (0-100; rounded up for sizes so that 10% of 5 is 1, down for budgets so that 10% of 5 allows none).
     */
    static int count(Object value, String field, int n, int min, boolean size) {
        long v;
        if (value instanceof Number num) {
            if (num.doubleValue() != Math.rint(num.doubleValue())) {
                throw ProblemException.invalid(field, "must be a whole number or a percentage such as \"25%\"");
            }
            v = num.longValue();
        } else if (value instanceof String s && s.trim().matches("\\d{1,3}(\\.\\d{1,2})?%")) {
            double p = Double.parseDouble(s.trim().substring(0, s.trim().length() - 1));
            if (p > 100) {
                throw ProblemException.invalid(field, "must be at most 100%");
            }
            double exact = n * p / 100.0;
            v = size ? (long) Math.ceil(exact - 1e-9) : (long) Math.floor(exact + 1e-9);
            if (size && p > 0) {
                v = Math.max(1, v);
            }
        } else if (value instanceof String s && s.trim().matches("\\d{1,7}")) {
            v = Long.parseLong(s.trim());
        } else {
            throw ProblemException.invalid(field, "must be a whole number or a percentage such as \"25%\"");
        }
        if (v < min) {
            throw ProblemException.invalid(field, "must be at least " + min);
        }
        if (v > n) {
            if (!size && value instanceof Number) {
                throw ProblemException.invalid(field, "must be at most " + n + ", the number of servers");
            }
            v = n;
        }
        return (int) v;
    }

    private static int range(int v, String field, int min, int max) {
        if (v < min || v > max) {
            throw ProblemException.invalid(field, "must be between " + min + " and " + max);
        }
        return v;
    }

    private static String choice(String value, String field, List<String> allowed, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw ProblemException.invalid(field, "must be one of " + String.join(", ", allowed));
        }
        return v;
    }

    private static String printable(Object o) {
        String s = String.valueOf(o);
        return s.length() > 64 ? s.substring(0, 64) + "…" : s.replaceAll("\\p{Cntrl}", "?");
    }
}
