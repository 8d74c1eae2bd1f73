package io.triggerdeploy.server;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.ssh.SshTarget;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Server rows. */
@ApplicationScoped
public class ServerRepository implements PanacheRepository<Server> {

    private final Pool pool;

    public ServerRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Claims up to {@code limit} active servers whose reachability check is due and moves their next check on by
     * {@code intervalSeconds} in the same statement, so each is checked once per interval across replicas.
     */
    public Uni<List<ReachabilityTarget>> claimReachabilityDue(long intervalSeconds, int limit) {
        return pool.preparedQuery("UPDATE servers s SET next_reachability_check_at = now() + make_interval(secs => $1) "
                        + "FROM (SELECT d.id, j.host AS jh, j.port AS jp, j.ssh_user AS ju, j.host_key AS jk, j.private_key_ref AS jr "
                        + "FROM servers d LEFT JOIN servers j ON j.id = d.jump_server_id "
                        + "WHERE d.active AND d.next_reachability_check_at <= now() "
                        + "ORDER BY d.next_reachability_check_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED) due WHERE s.id = due.id "
                        + "RETURNING s.id, s.host, s.port, s.ssh_user, s.host_key, s.private_key_ref, due.jh, due.jp, due.ju, due.jk, due.jr")
                .execute(Tuple.of(intervalSeconds, limit))
                .map(rows -> Rows.list(rows, r -> new ReachabilityTarget(r.getLong("id"), r.getString("host"),
                        r.getInteger("port"), r.getString("ssh_user"), r.getString("host_key"), r.getString("private_key_ref"),
                        r.getString("jh") == null ? null
                        : new SshTarget(r.getString("jh"), r.getInteger("jp"), r.getString("ju"),
                        r.getString("jk"), r.getString("jr")))));
    }

    /** Stores the outcome of a reachability check (the entity maps these columns read-only: only this writes them). */
    public Uni<Void> recordReachability(long id, String status, String error) {
        String cut = error == null ? null : error.length() > 500 ? error.substring(0, 500) : error;
        return pool.preparedQuery("UPDATE servers SET reachability = $2, reachability_error = $3, "
                        + "reachability_checked_at = now(), last_seen_at = CASE WHEN $2 = 'REACHABLE' THEN now() ELSE last_seen_at END "
                        + "WHERE id = $1")
                .execute(Tuple.of(id, status, cut)).replaceWithVoid();
    }

    public Uni<List<Server>> listOrdered() {
        return find("order by lower(alias)").list();
    }

    public Uni<Server> findByAlias(String alias) {
        return find("lower(alias) = lower(?1)", alias).firstResult();
    }

    /** Whether deployment history refers to the server (it must then be deactivated, not deleted). */
    public Uni<Boolean> hasDeployments(long id) {
        return getSession().chain(s -> s.createNativeQuery("SELECT count(*) FROM deployments WHERE server_id = ?1", Long.class)
                .setParameter(1, id).getSingleResult()).map(n -> n > 0);
    }

    /** Aliases of the servers reached through server {@code id}. */
    public Uni<List<String>> jumpedThrough(long id) {
        return find("jumpServerId = ?1 order by lower(alias)", id).list().map(l -> l.stream().map(x -> x.alias).toList());
    }

    /** Like the old tool: an alias first, then a host, case-insensitive. */
    public Uni<Server> findByAliasOrHost(String ref) {
        return find("lower(alias) = lower(?1) or lower(host) = lower(?1) "
                + "order by case when lower(alias) = lower(?1) then 0 else 1 end, id", ref).firstResult();
    }
}
