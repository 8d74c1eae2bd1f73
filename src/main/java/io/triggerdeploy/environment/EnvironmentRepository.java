package io.triggerdeploy.environment;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Environments and their policies, in plain SQL; names are unique regardless of case. */
@ApplicationScoped
public class EnvironmentRepository {

    private final Pool pool;

    public EnvironmentRepository(Pool pool) {
        this.pool = pool;
    }

    Uni<List<Environment>> list() {
        return pool.query("SELECT " + Environment.COLUMNS + " FROM environments ORDER BY lower(name)").execute()
                .map(rows -> Rows.list(rows, r -> Environment.of(r, "")));
    }

    Uni<Environment> find(String name) {
        return pool.preparedQuery("SELECT " + Environment.COLUMNS + " FROM environments WHERE lower(name) = lower($1)")
                .execute(Tuple.of(name)).map(rows -> Rows.first(rows, r -> Environment.of(r, "")));
    }

    /** The aliases of the servers in each environment, by lower-cased environment name. */
    Uni<Map<String, List<String>>> serversByEnvironment() {
        return pool.query("SELECT lower(environment), alias FROM servers WHERE environment IS NOT NULL ORDER BY lower(alias)")
                .execute().map(rows -> {
                    Map<String, List<String>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getString(1)));
                    return out;
                });
    }

    Uni<Environment> insert(Tx tx, String name, EnvironmentService.Policy p) {
        return tx.client().preparedQuery("INSERT INTO environments (name, description, required_approvals, "
                        + "approval_timeout_minutes, break_glass, queue_policy, freeze_action, time_zone, windows) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb) ON CONFLICT DO NOTHING RETURNING " + Environment.COLUMNS)
                .execute(tuple(name, p)).map(rows -> Rows.first(rows, r -> Environment.of(r, "")));
    }

    Uni<Environment> update(Tx tx, String name, EnvironmentService.Policy p) {
        return tx.client().preparedQuery("UPDATE environments SET description = $2, required_approvals = $3, "
                        + "approval_timeout_minutes = $4, break_glass = $5, queue_policy = $6, freeze_action = $7, time_zone = $8, "
                        + "windows = $9::text::jsonb, updated_at = now() WHERE lower(name) = lower($1) RETURNING " + Environment.COLUMNS)
                .execute(tuple(name, p)).map(rows -> Rows.first(rows, r -> Environment.of(r, "")));
    }

    private static Tuple tuple(String name, EnvironmentService.Policy p) {
        return Tuple.from(new Object[]{name, p.description(), (short) p.requiredApprovals(), p.approvalTimeoutMinutes(),
                p.breakGlass(), p.queuePolicy(), p.freezeAction(), p.timeZone(), p.windowsJson()});
    }

    /** Deletes an environment no server is in (in {@code tx}, which locks out a server joining it meanwhile). */
    Uni<Boolean> delete(Tx tx, String name) {
        return tx.client().preparedQuery("DELETE FROM environments WHERE lower(name) = lower($1) RETURNING id")
                .execute(Tuple.of(name)).map(rows -> rows.rowCount() > 0);
    }

    /** The servers in an environment, by alias. */
    Uni<List<String>> servers(Tx tx, String name) {
        return tx.client().preparedQuery("SELECT alias FROM servers WHERE lower(environment) = lower($1) ORDER BY alias FOR SHARE")
                .execute(Tuple.of(name)).map(rows -> Rows.list(rows, r -> r.getString(0)));
    }

    /** Creates, with an empty policy, the environments servers name that are not records yet; their names. */
    Uni<List<String>> ensureNamedByServers() {
        return pool.query("INSERT INTO environments (name) SELECT DISTINCT ON (lower(s.environment)) s.environment FROM servers s "
                        + "WHERE s.environment IS NOT NULL AND NOT EXISTS (SELECT 1 FROM environments e "
                        + "WHERE lower(e.name) = lower(s.environment)) ORDER BY lower(s.environment), s.environment "
                        + "ON CONFLICT DO NOTHING RETURNING name")
                .execute().map(rows -> Rows.list(rows, r -> r.getString(0)));
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
