package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.function.Function;

/** The {@code notification_channels} table. */
@ApplicationScoped
public class ChannelRepository {

    private static final String COLUMNS = "id, name, kind, settings, secret, events, active, created_at, updated_at, last_sent_at, last_error";

    private final Pool pool;

    public ChannelRepository(Pool pool) {
        this.pool = pool;
    }

    <T> Uni<List<T>> list(Function<Row, T> mapper) {
        return pool.query("SELECT " + COLUMNS + " FROM notification_channels ORDER BY lower(name)").execute()
                .map(rows -> Rows.list(rows, mapper));
    }

    /** Active channels subscribed to {@code eventId}. */
    <T> Uni<List<T>> subscribers(String eventId, Function<Row, T> mapper) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM notification_channels WHERE active "
                        + "AND $1 = ANY (string_to_array(events, ','))").execute(Tuple.of(eventId))
                .map(rows -> Rows.list(rows, mapper));
    }

    /** The channel, mapped, or null. */
    <T> Uni<T> find(long id, Function<Row, T> mapper) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM notification_channels WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, mapper));
    }

    Uni<Long> insert(Tx tx, String name, String kind, JsonObject settings, String secret, String events, boolean active) {
        return tx.client().preparedQuery("INSERT INTO notification_channels (name, kind, settings, secret, events, active) "
                        + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .execute(Tuple.from(new Object[]{name, kind, settings, secret, events, active}))
                .map(rows -> rows.iterator().next().getLong("id"));
    }

    Uni<Void> update(Tx tx, long id, String name, JsonObject settings, String secret, String events, boolean active) {
        return tx.client().preparedQuery("UPDATE notification_channels SET name = $2, settings = $3, secret = $4, events = $5, "
                        + "active = $6, updated_at = now() WHERE id = $1")
                .execute(Tuple.from(new Object[]{id, name, settings, secret, events, active})).replaceWithVoid();
    }

    Uni<Void> delete(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM notification_channels WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** A send went out (error null) or failed with {@code error}. */
    Uni<Void> recordResult(long id, String error) {
        return pool.preparedQuery(error == null
                        ? "UPDATE notification_channels SET last_sent_at = now(), last_error = NULL WHERE id = $1"
                        : "UPDATE notification_channels SET last_error = $2 WHERE id = $1")
                .execute(error == null ? Tuple.of(id) : Tuple.of(id, error.length() > 500 ? error.substring(0, 500) : error))
                .replaceWithVoid();
    }
}
