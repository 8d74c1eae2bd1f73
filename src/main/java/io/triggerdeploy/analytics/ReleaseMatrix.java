package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.deploy.WhatRuns;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The release matrix: per environment, the version running on each of its servers (their newest SUCCEEDED deployment:
 * the same "what runs where" the servers page and the fleet view read), who deployed it and when, whether a server runs
 * something else than most of its environment, and how many versions the environment before it in the promotion order
 * has had since (the order is the one promotions took: staging before production when versions were promoted from
 * staging to production).
 */
@ApplicationScoped
public class ReleaseMatrix {

    /** The row of servers without an environment. */
    public static final String NONE = "(no environment)";

    private final ServerService servers;
    private final WhatRuns whatRuns;
    private final InsightRepository repository;

    public ReleaseMatrix(ServerService servers, WhatRuns whatRuns, InsightRepository repository) {
        this.servers = servers;
        this.whatRuns = whatRuns;
        this.repository = repository;
    }

    /** One server of an environment: what runs there, and whether it differs from most of its environment. */
    public record Cell(String server, @Schema(nullable = true) String ref, @Schema(nullable = true) Long deploymentId,
                       @Schema(nullable = true) String deployedBy, @Schema(nullable = true) OffsetDateTime deployedAt, boolean differs) {
    }

    /** One environment: its servers, the version most of them run, and how far behind the environment before it it is. */
    public record Row(String environment, @Schema(nullable = true) String previous, @Schema(nullable = true) String ref,
                      @Schema(nullable = true, description = "Versions the previous environment has had since it had ref") Integer behind,
                      String summary, List<Cell> servers) {
    }

    /** The matrix, and how many servers are hidden from the caller. */
    public record View(List<Row> environments, int hiddenServers) {
    }

    public Uni<View> view(Access access) {
        return servers.list().chain(all -> whatRuns.all().chain(running -> repository.promotions().chain(edges -> {
            Map<String, List<ServerView>> byEnv = new HashMap<>();
            int hidden = 0;
            for (ServerView s : all) {
                if (!access.sees(s.id())) {
                    hidden++;
                    continue;
                }
                byEnv.computeIfAbsent(s.environment() == null || s.environment().isBlank() ? NONE : s.environment(), k -> new ArrayList<>()).add(s);
            }
            List<String> order = order(byEnv.keySet(), edges);
            Map<String, String> previous = previous(edges);
            List<Row> rows = new ArrayList<>();
            Uni<List<Row>> chain = Uni.createFrom().item(rows);
            for (String env : order) {
                List<Cell> cells = cells(byEnv.get(env), running);
                String ref = majority(cells);
                List<Cell> marked = cells.stream().map(c -> new Cell(c.server(), c.ref(), c.deploymentId(), c.deployedBy(), c.deployedAt(),
                        ref != null && cells.size() > 1 && !ref.equals(c.ref()))).toList();
                String prev = previous.get(env.toLowerCase(Locale.ROOT));
                String summary = summary(marked);
                chain = chain.chain(list -> (prev == null || ref == null ? Uni.createFrom().<Integer>nullItem()
                        : repository.versionsSince(prev, ref, access.hidden())).map(behind -> {
                            list.add(new Row(env, prev, ref, behind, summary, marked));
                            return list;
                        }));
            }
            int hiddenServers = hidden;
            return chain.map(list -> new View(list, hiddenServers));
        })));
    }

    private static List<Cell> cells(List<ServerView> servers, Map<Long, WhatRuns.Running> running) {
        List<Cell> out = new ArrayList<>();
        servers.stream().sorted(Comparator.comparing(ServerView::alias)).forEach(s -> {
            WhatRuns.Running r = running.get(s.id());
            DeploymentView live = r == null ? null : r.live();
            out.add(live == null ? new Cell(s.alias(), null, null, null, null, false)
                    : new Cell(s.alias(), live.ref(), live.id(), live.requestedBy(), live.finishedAt(), false));
        });
        return out;
    }

    /** The version most servers run (ties: the newest deployment's); null when none runs anything with a version. */
    static String majority(List<Cell> cells) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        cells.stream().filter(c -> c.ref() != null).sorted(Comparator.comparing(Cell::deploymentId).reversed())
                .forEach(c -> counts.merge(c.ref(), 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    static String summary(List<Cell> cells) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        int nothing = 0;
        for (Cell c : cells) {
            if (c.ref() == null) {
                nothing++;
            } else {
                counts.merge(c.ref(), 1, Integer::sum);
            }
        }
        if (counts.size() == 1 && nothing == 0) {
            return "converged on " + counts.keySet().iterator().next();
        }
        List<String> parts = new ArrayList<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> parts.add(e.getValue() + " × " + e.getKey()));
        if (nothing > 0) {
            parts.add(nothing + " with no version live");
        }
        return counts.isEmpty() ? "nothing deployed" : "mixed: " + String.join(", ", parts);
    }

    /** Environments in promotion order (sources before targets; otherwise by name), then the ones no promotion touched. */
    static List<String> order(java.util.Set<String> envs, List<String[]> edges) {
        Map<String, String> names = new HashMap<>();
        envs.forEach(e -> names.put(e.toLowerCase(Locale.ROOT), e));
        Map<String, Integer> incoming = new HashMap<>();
        Map<String, List<String>> out = new HashMap<>();
        for (String[] e : edges) {
            String from = e[0].toLowerCase(Locale.ROOT);
            String to = e[1].toLowerCase(Locale.ROOT);
            if (names.containsKey(from) && names.containsKey(to) && !out.getOrDefault(from, List.of()).contains(to)) {
                out.computeIfAbsent(from, k -> new ArrayList<>()).add(to);
                incoming.merge(to, 1, Integer::sum);
            }
        }
        TreeSet<String> ready = new TreeSet<>();
        names.keySet().stream().filter(n -> !incoming.containsKey(n)).forEach(ready::add);
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String n = ready.pollFirst();
            order.add(n);
            for (String to : out.getOrDefault(n, List.of())) {
                if (incoming.merge(to, -1, Integer::sum) == 0) {
                    ready.add(to);
                }
            }
        }
        names.keySet().stream().filter(n -> !order.contains(n)).sorted().forEach(order::add); // a cycle: by name
        List<String> result = new ArrayList<>(order.stream().map(names::get).toList());
        if (result.remove(NONE)) {
            result.add(NONE);
        }
        return result;
    }

    /** For each target environment (lower case), the environment it is most often promoted from. */
    private static Map<String, String> previous(List<String[]> edges) {
        Map<String, String> out = new HashMap<>();
        for (String[] e : edges) {
            out.putIfAbsent(e[1].toLowerCase(Locale.ROOT), e[0]);
        }
        return out;
    }
}
