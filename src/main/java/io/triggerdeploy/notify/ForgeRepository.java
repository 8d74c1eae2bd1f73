package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Every statement about forge links. */
@ApplicationScoped
public class ForgeRepository {

    private static final String LINKS = "SELECT f.id, f.kind, f.api_url, f.repository, f.environment, f.server_id, s.alias AS server, "
            + "f.environment_url, f.last_result, f.last_at, f.created_by, f.created_at, f.token_sealed FROM forge_links f "
            + "LEFT JOIN servers s ON s.id = f.server_id";

    private final Pool pool;

    public ForgeRepository(Pool pool) {
        this.pool = pool;
    }

    /** A link with its sealed token (for writing only). */
    record Sealed(ForgeLink link, String tokenSealed) {
    }

    Uni<List<ForgeLink>> list() {
        return pool.query(LINKS + " ORDER BY f.id").execute().map(rows -> Rows.list(rows, r -> link(r)));
    }

    /** The links a deployment writes to: its server's and its environment's. */
    Uni<List<Sealed>> forDeployment(long serverId, String environment) {
        return pool.preparedQuery(LINKS + " WHERE f.server_id = $1 OR ($2::text IS NOT NULL AND lower(f.environment) = lower($2)) ORDER BY f.id")
                .execute(Tuple.of(serverId, environment)).map(rows -> Rows.list(rows, r -> new Sealed(link(r), r.getString("token_sealed"))));
    }

    /** A server's id and alias by id or alias (null: none). */
    Uni<Object[]> server(Tx tx, String ref) {
        Long id;
        try {
            id = Long.parseLong(ref);
        } catch (NumberFormatException e) {
            id = -1L;
        }
        return tx.client().preparedQuery("SELECT id, alias FROM servers WHERE id = $1 OR lower(alias) = lower($2) ORDER BY (id = $1) DESC LIMIT 1")
                .execute(Tuple.of(id, ref)).map(rows -> Rows.first(rows, r -> new Object[]{r.getLong(0), r.getString(1)}));
    }

    Uni<Long> insert(Tx tx, ForgeLinkRequest r, String tokenSealed, String environment, Long serverId, String createdBy) {
        return tx.client().preparedQuery("INSERT INTO forge_links (kind, api_url, repository, token_sealed, environment, server_id, "
                        + "environment_url, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .execute(Tuple.tuple(java.util.Arrays.asList(r.kind(), r.apiUrl().strip(), r.repository().strip(), tokenSealed, environment,
                        serverId, r.environmentUrl() == null || r.environmentUrl().isBlank() ? null : r.environmentUrl().strip(), createdBy)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Uni<ForgeLink> find(Tx tx, long id) {
        return tx.client().preparedQuery(LINKS + " WHERE f.id = $1").execute(Tuple.of(id)).map(rows -> Rows.first(rows, r -> link(r)));
    }

    Uni<Boolean> delete(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM forge_links WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** How the last write to a link went (null: it worked). */
    Uni<Void> result(long id, String problem) {
        return pool.preparedQuery("UPDATE forge_links SET last_result = $2, last_at = now() WHERE id = $1")
                .execute(Tuple.of(id, problem == null ? "ok" : problem.length() > 500 ? problem.substring(0, 500) : problem)).replaceWithVoid();
    }

    private static ForgeLink link(Row r) {
        return new ForgeLink(r.getLong("id"), r.getString("kind"), r.getString("api_url"), r.getString("repository"), r.getString("environment"),
                r.getLong("server_id"), r.getString("server"), r.getString("environment_url"), r.getString("last_result"),
                r.getOffsetDateTime("last_at"), r.getString("created_by"), r.getOffsetDateTime("created_at"));
    }
}
