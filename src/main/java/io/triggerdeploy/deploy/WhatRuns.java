package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What runs where: for each server, the deployment whose release is live there (its newest SUCCEEDED one) and, when
 * there is a newer one (failed, cancelled, queued, running), that newer attempt. A cancelled or failed attempt after
 * v1.6.0 does not hide that v1.6.0 runs. The one answer the servers page, the fleet view and rollouts use.
 */
@ApplicationScoped
public class WhatRuns {

    private final DeploymentRepository repository;

    public WhatRuns(DeploymentRepository repository) {
        this.repository = repository;
    }

    /** One server's state: {@code live} null when nothing succeeded there yet, {@code latest} null unless newer. */
    public record Running(long serverId, DeploymentView live, DeploymentView latest) {
    }

    /** Every server that has a deployment, by server id. */
    public Uni<Map<Long, Running>> all() {
        return repository.livePerServer().chain(live -> repository.latestPerServer().map(latest -> merge(live, latest)));
    }

    static Map<Long, Running> merge(List<DeploymentView> live, List<DeploymentView> latest) {
        Map<Long, DeploymentView> liveByServer = new HashMap<>();
        live.forEach(d -> liveByServer.put(d.serverId(), d));
        Map<Long, Running> out = new HashMap<>();
        for (DeploymentView d : latest) {
            DeploymentView l = liveByServer.get(d.serverId());
            out.put(d.serverId(), new Running(d.serverId(), l, l != null && l.id() == d.id() ? null : d));
        }
        return out;
    }
}
