package io.triggerdeploy.server;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/** Every statement about server groups and their ordered members. */
@ApplicationScoped
public class ServerGroupRepository {

    private static final String SELECT = "SELECT g.id, g.name, g.description, g.created_by, g.created_at, g.updated_at, "
            + "coalesce(array_agg(s.id ORDER BY m.position) FILTER (WHERE s.id IS NOT NULL), '{}') AS server_ids, "
            + "coalesce(array_agg(s.alias ORDER BY m.position) FILTER (WHERE s.id IS NOT NULL), '{}') AS aliases "
            + "FROM server_groups g LEFT JOIN server_group_members m ON m.group_id = g.id "
            + "LEFT JOIN servers s ON s.id = m.server_id ";

    private final Pool pool;

    public ServerGroupRepository(Pool pool) {
        this.pool = pool;
    }

    /** A group as stored: its members' ids and aliases in the group's order. */
    public record Stored(long id, String name, String description, String createdBy, OffsetDateTime createdAt,
                         OffsetDateTime updatedAt, List<Long> serverIds, List<String> aliases) {
    }

    /** A server a request named, by id or alias. */
    public record Named(long id, String alias) {
    }

    Uni<List<Stored>> list() {
        return pool.query(SELECT + "GROUP BY g.id ORDER BY lower(g.name)").execute().map(rows -> Rows.list(rows, ServerGroupRepository::stored));
    }

    /** A group by id or name (case-insensitive); null when there is none. */
    Uni<Stored> find(Tx tx, String ref) {
        Long id = ref.matches("\\d{1,18}") ? Long.parseLong(ref) : null;
        return on(tx).preparedQuery(SELECT + "WHERE g.id = $1 OR lower(g.name) = lower($2) GROUP BY g.id ORDER BY g.id = $1 DESC LIMIT 1")
                .execute(Tuple.of(id, ref)).map(rows -> Rows.first(rows, ServerGroupRepository::stored));
    }

    /** The id of a new group, or null when the name is taken. */
    Uni<Long> insert(Tx tx, String name, String description, String createdBy) {
        return tx.client().preparedQuery("INSERT INTO server_groups (name, description, created_by) VALUES ($1, $2, $3) "
                        + "ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.of(name, description, createdBy)).map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** False when another group already has the name (the unique index settles a race: 409 too). */
    Uni<Boolean> update(Tx tx, long id, String name, String description) {
        return tx.client().preparedQuery("UPDATE server_groups SET name = $2, description = $3, updated_at = now() WHERE id = $1 "
                        + "AND NOT EXISTS (SELECT 1 FROM server_groups o WHERE lower(o.name) = lower($2) AND o.id <> $1)")
                .execute(Tuple.of(id, name, description)).map(rows -> rows.rowCount() == 1);
    }

    /** The group's members become {@code serverIds}, in that order. */
    Uni<Void> setMembers(Tx tx, long id, List<Long> serverIds) {
        return tx.client().preparedQuery("DELETE FROM server_group_members WHERE group_id = $1").execute(Tuple.of(id))
                .chain(() -> tx.client().preparedQuery("INSERT INTO server_group_members (group_id, server_id, position) "
                                + "SELECT $1, s.id, s.n FROM unnest($2::bigint[]) WITH ORDINALITY AS s(id, n)")
                        .execute(Tuple.of(id, serverIds.toArray(new Long[0]))))
                .replaceWithVoid();
    }

    Uni<Boolean> delete(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM server_groups WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 1);
    }

    /** The servers among {@code refs} (ids or aliases, case-insensitive), each once. */
    Uni<List<Named>> servers(Tx tx, List<String> refs) {
        Long[] ids = refs.stream().filter(r -> r.matches("\\d{1,18}")).map(Long::parseLong).toArray(Long[]::new);
        String[] aliases = refs.stream().map(r -> r.toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);
        return on(tx).preparedQuery("SELECT id, alias FROM servers WHERE id = ANY($1) OR lower(alias) = ANY($2)")
                .execute(Tuple.of(ids, aliases)).map(rows -> Rows.list(rows, r -> new Named(r.getLong("id"), r.getString("alias"))));
    }

    private SqlClient on(Tx tx) {
        return tx == null ? pool : tx.client();
    }

    private static Stored stored(Row r) {
        return new Stored(r.getLong("id"), r.getString("name"), r.getString("description"), r.getString("created_by"),
                r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
                Arrays.asList(r.getArrayOfLongs("server_ids")), Arrays.asList(r.getArrayOfStrings("aliases")));
    }
}
