package io.triggerdeploy.db;

import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * An open transaction, handed by {@link Transactions#run} to a service and passed on to the repositories that take
 * part in it. Services hold it without seeing SQL; only repositories call {@link #client()}.
 */
public final class Tx {

    private final SqlConnection connection;

    Tx(SqlConnection connection) {
        this.connection = connection;
    }

    /** The transaction's connection, for repositories. */
    public SqlClient client() {
        return connection;
    }
}
