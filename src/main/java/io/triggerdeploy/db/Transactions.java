package io.triggerdeploy.db;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Function;

/**
 * Transaction boundaries for use cases that span repositories (a webhook delivery: its replay keys, the deployment
 * and the audit record commit together or not at all). The work gets a {@link Tx} to pass to each repository; it
 * commits when the returned {@code Uni} succeeds and rolls back when it fails.
 */
@ApplicationScoped
public class Transactions {

    private final Pool pool;

    public Transactions(Pool pool) {
        this.pool = pool;
    }

    public <T> Uni<T> run(Function<Tx, Uni<T>> work) {
        return pool.withTransaction(connection -> work.apply(new Tx(connection)));
    }
}
