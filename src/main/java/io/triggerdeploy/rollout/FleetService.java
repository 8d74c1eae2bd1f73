package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.deploy.WhatRuns;
import io.triggerdeploy.server.LabelSelector;
import io.triggerdeploy.server.ServerGroupService;
import io.triggerdeploy.server.ServerGroupView;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fleet view: a set of servers (a group, an environment, a label selector, or a group narrowed by the others, as
 * a rollout's target is given) with the release live on each, from {@link WhatRuns}.
 */
@ApplicationScoped
public class FleetService {

    private static final String NO_REF = "(no REF)";

    private final ServerService servers;
    private final ServerGroupService groups;
    private final WhatRuns whatRuns;

    public FleetService(ServerService servers, ServerGroupService groups, WhatRuns whatRuns) {
        this.servers = servers;
        this.groups = groups;
        this.whatRuns = whatRuns;
    }

    /** What a set is: a group, an environment or a selector; given together, each narrows the others. */
    public record Target(String group, String environment, String selector) {
    }

    public Uni<FleetView> view(Target target, Access access) {
        return members(target, "group").chain(chosen -> whatRuns.all().map(running -> of(chosen, running, access)));
    }

    /**
     * The servers of a set, in the group's order (by alias without a group); {@code field} is what a refusal names when
     * nothing was given ({@code target.group} for a rollout).
     */
    public Uni<List<ServerView>> members(Target target, String field) {
        boolean none = blank(target.group()) && blank(target.environment()) && blank(target.selector());
        if (none) {
            throw ProblemException.invalid(field, "give a group, an environment or a selector (or several, to narrow)");
        }
        String prefix = field.contains(".") ? field.substring(0, field.lastIndexOf('.') + 1) : "";
        LabelSelector selector = blank(target.selector()) ? null : LabelSelector.parse(target.selector(), prefix + "selector");
        Uni<List<Long>> order = blank(target.group()) ? Uni.createFrom().item((List<Long>) null)
                : groups.get(target.group(), null).map(ServerGroupView::serverIds);
        return order.chain(ids -> servers.list().map(all -> {
            Map<Long, ServerView> byId = all.stream().collect(Collectors.toMap(ServerView::id, Function.identity()));
            List<ServerView> set = ids == null ? all.stream().sorted(Comparator.comparing(ServerView::alias)).toList()
                    : ids.stream().map(byId::get).filter(s -> s != null).toList();
            return set.stream()
                    .filter(s -> blank(target.environment()) || target.environment().trim().equalsIgnoreCase(s.environment()))
                    .filter(s -> selector == null || selector.matches(s.labels())).toList();
        }));
    }

    /** A server of the servers page with the release live there and a newer attempt (each null when there is none). */
    public record ServerLine(ServerView server, DeploymentView live, DeploymentView latest) {
    }

    /** A group of the servers page with what its servers run, in words. */
    public record GroupLine(ServerGroupView group, String summary, boolean converged) {
    }

    /** The servers page (an admin's: everything): every server with what runs there, every group with its summary. */
    public record ServersPage(List<ServerLine> servers, List<GroupLine> groups) {
    }

    public Uni<ServersPage> serversPage() {
        return servers.list().chain(all -> groups.list(null).chain(gs -> whatRuns.all().map(running -> {
            Map<Long, ServerView> byId = all.stream().collect(Collectors.toMap(ServerView::id, Function.identity()));
            List<ServerLine> lines = all.stream().map(s -> {
                WhatRuns.Running r = running.get(s.id());
                return new ServerLine(s, r == null ? null : r.live(), r == null ? null : r.latest());
            }).toList();
            List<GroupLine> groupLines = gs.stream().map(g -> {
                FleetView v = of(g.serverIds().stream().map(byId::get).filter(s -> s != null).toList(), running, null);
                return new GroupLine(g, v.summary(), v.converged());
            }).toList();
            return new ServersPage(lines, groupLines);
        })));
    }

    /** The view of {@code chosen} as {@code access} may see it (null: everything). */
    static FleetView of(List<ServerView> chosen, Map<Long, WhatRuns.Running> running, Access access) {
        List<FleetView.Member> members = new ArrayList<>();
        Map<String, Integer> versions = new LinkedHashMap<>();
        int hidden = 0;
        int notDeployed = 0;
        for (ServerView s : chosen) {
            if (access != null && !access.sees(s.id())) {
                hidden++;
                continue;
            }
            WhatRuns.Running r = running.get(s.id());
            DeploymentView live = r == null ? null : r.live();
            DeploymentView latest = r == null ? null : r.latest();
            if (live == null) {
                notDeployed++;
            } else {
                versions.merge(live.ref() == null ? NO_REF : live.ref(), 1, Integer::sum);
            }
            members.add(new FleetView.Member(s.id(), s.alias(), s.environment(), live == null ? null : live.ref(),
                    live == null ? null : live.id(), live == null ? null : live.finishedAt(),
                    latest == null ? null : new FleetView.Attempt(latest.id(), latest.status(), latest.ref())));
        }
        List<FleetView.Version> counted = versions.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> new FleetView.Version(NO_REF.equals(e.getKey()) ? null : e.getKey(), e.getValue())).toList();
        boolean converged = !members.isEmpty() && notDeployed == 0 && counted.size() == 1;
        return new FleetView(members, hidden == 0 ? null : hidden, counted, notDeployed == 0 ? null : notDeployed, converged,
                summary(members.size(), counted, notDeployed, converged));
    }

    static String summary(int shown, List<FleetView.Version> versions, int notDeployed, boolean converged) {
        if (shown == 0) {
            return "no servers";
        }
        if (versions.isEmpty()) {
            return "nothing deployed yet";
        }
        if (converged) {
            return "converged on " + name(versions.get(0));
        }
        String mixed = versions.stream().map(v -> v.servers() + " × " + name(v)).collect(Collectors.joining(", "));
        return "mixed: " + mixed + (notDeployed == 0 ? "" : ", " + notDeployed + " not deployed");
    }

    private static String name(FleetView.Version v) {
        return v.ref() == null ? NO_REF : v.ref();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
