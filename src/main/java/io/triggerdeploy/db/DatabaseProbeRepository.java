package io.triggerdeploy.db;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/** The reactive pool's own liveness: one round trip, for the bootstrap and the readiness check. */
@ApplicationScoped
public class DatabaseProbeRepository {

    private final Pool pool;

    public DatabaseProbeRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> ping() {
        return pool.query("SELECT 1").execute().replaceWithVoid();
    }
}
