package io.triggerdeploy.rollout;

import io.triggerdeploy.access.Access;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What a reader of a rollout is shown (the API's and the pages' {@link RolloutView}), by what they may see. */
final class RolloutViews {

    private RolloutViews() {
    }

    /** The rollout's settings beyond the columns, as the API shows them. */
    static Map<String, Object> settings(JsonObject spec) {
        return spec.getMap();
    }

    /** A rollout as the reader sees it: hosts on servers hidden from them left out, and not named in its texts. */
    static RolloutView of(Rollout r, List<Rollout.HostRow> rows, Access access) {
        List<List<String>> waves = new ArrayList<>();
        for (int w = 1; w <= r.waveCount; w++) {
            int wave = w;
            waves.add(rows.stream().filter(h -> h.wave() == wave && access.sees(h.serverId())).map(Rollout.HostRow::alias).toList());
        }
        List<RolloutView.Host> hosts = rows.stream().filter(h -> access.sees(h.serverId())).map(h -> new RolloutView.Host(h.alias(),
                h.serverId(), h.wave(), h.deploymentId(), h.status(), h.attempts(), h.detail(), h.startedAt(), h.finishedAt(),
                h.rollbackDeploymentId())).toList();
        int hidden = rows.size() - hosts.size();
        int failures = (int) rows.stream().filter(Rollout.HostRow::failed).count();
        Map<String, String> params = r.parameters == null || r.parameters.isEmpty() ? null
                : r.parameters.getMap().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()),
                (a, b) -> a, java.util.TreeMap::new));
        return new RolloutView(r.id, r.status, new RolloutView.Target(r.target.getString("group"), r.target.getString("environment"),
                r.target.getString("selector")), r.strategy, r.ref, params, r.currentWave, failures, r.maxFailures,
                r.acceptedFailures == 0 ? null : r.acceptedFailures, r.maxInFlight, r.onBreach, settings(r.spec), waves, hosts,
                hidden == 0 ? null : hidden, null, redact(r.gate, rows, access), redact(r.pausedReason, rows, access), approval(r), r.note,
                r.createdBy, r.createdAt, r.finishedAt,
                RolloutView.links(r.id));
    }

    /** A text about the rollout (a reason, a gate, an event) with the servers hidden from the reader not named. */
    static String redact(String text, List<Rollout.HostRow> rows, Access access) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Rollout.HostRow h : rows) {
            if (!access.sees(h.serverId())) {
                out = out.replaceAll("(?<![A-Za-z0-9._-])" + java.util.regex.Pattern.quote(h.alias()) + "(?![A-Za-z0-9._-])", "a hidden server");
            }
        }
        return out;
    }

    private static RolloutView.Approval approval(Rollout r) {
        if (r.approvalsRequired == null) {
            return null;
        }
        List<RolloutView.Decision> decisions = new ArrayList<>();
        for (int i = 0; i < r.decisions.size(); i++) {
            JsonObject d = r.decisions.getJsonObject(i);
            decisions.add(new RolloutView.Decision(d.getString("username"), d.getString("decision"), d.getString("comment"),
                    OffsetDateTime.parse(d.getString("at"))));
        }
        int given = (int) decisions.stream().filter(d -> "approve".equals(d.decision())).count();
        return new RolloutView.Approval(r.approvalsRequired, given, r.approvalExpiresAt, decisions);
    }
}
