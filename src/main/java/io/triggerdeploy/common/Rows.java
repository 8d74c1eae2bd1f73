package io.triggerdeploy.common;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

import java.util.function.Function;

/** Small helpers for plain SQL on the reactive client. */
public final class Rows {

    private Rows() {
    }

    /** The first row mapped, or null when the query returned nothing. */
    public static <T> T first(RowSet<Row> rows, Function<Row, T> mapper) {
        var it = rows.iterator();
        return it.hasNext() ? mapper.apply(it.next()) : null;
    }
}
