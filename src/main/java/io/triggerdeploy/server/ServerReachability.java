package io.triggerdeploy.server;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The monitor's reachability checks of registered servers: which are due, and what each found. */
@ApplicationScoped
public class ServerReachability {

    private final ServerRepository servers;

    public ServerReachability(ServerRepository servers) {
        this.servers = servers;
    }

    /** Claims servers due for a reachability check (each once per interval across replicas). */
    public Uni<List<ReachabilityTarget>> claimDue(long intervalSeconds, int limit) {
        return servers.claimReachabilityDue(intervalSeconds, limit);
    }

    /** Stores the outcome of a reachability check. */
    public Uni<Void> record(long id, String status, String error) {
        return servers.recordReachability(id, status, error);
    }
}
