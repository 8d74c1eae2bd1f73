package io.triggerdeploy.common;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Small helpers for plain SQL on the reactive client, so repositories write no row loops by hand. */
public final class Rows {

    private Rows() {
    }

    /** The first row mapped, or null when the query returned nothing. */
    public static <T> T first(RowSet<Row> rows, Function<Row, T> mapper) {
        var it = rows.iterator();
        return it.hasNext() ? mapper.apply(it.next()) : null;
    }

    /** Every row mapped, in order. */
    public static <T> List<T> list(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(mapper.apply(r));
        }
        return out;
    }
}
