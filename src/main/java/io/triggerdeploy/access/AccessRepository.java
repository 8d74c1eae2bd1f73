package io.triggerdeploy.access;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Teams, their members and grants, and the one query that turns them into a caller's {@link Access}; plain SQL. */
@ApplicationScoped
public class AccessRepository {

    /**
     * For one user (or none) and optionally one server: the restricted servers (their environment or they themselves
     * have a grant), and among them those where the user holds each permission, directly or through a team (manage
     * implies the others); plus the environments the user manages. One row; while no grant exists at all the servers are
     * not even read.
     */
    private static final String ACCESS = """
            WITH mine AS (
              SELECT g.environment_id, g.server_id, g.permission FROM grants g
              WHERE g.user_id = $1 OR g.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = $1)),
            restricted AS (
              SELECT s.id, e.id AS env FROM servers s LEFT JOIN environments e ON lower(e.name) = lower(s.environment)
              WHERE EXISTS (SELECT 1 FROM grants) AND ($2::bigint IS NULL OR s.id = $2)
                AND (EXISTS (SELECT 1 FROM grants g WHERE g.environment_id = e.id)
                  OR EXISTS (SELECT 1 FROM grants g WHERE g.server_id = s.id))),
            held AS (
              SELECT r.id, array_agg(DISTINCT m.permission) FILTER (WHERE m.permission IS NOT NULL) AS p
              FROM restricted r LEFT JOIN mine m ON m.environment_id = r.env OR m.server_id = r.id GROUP BY r.id)
            SELECT coalesce(array_agg(id), '{}') AS restricted,
                   coalesce(array_agg(id) FILTER (WHERE p IS NOT NULL), '{}') AS view,
                   coalesce(array_agg(id) FILTER (WHERE p && ARRAY['deploy', 'manage']::varchar[]), '{}') AS deploy,
                   coalesce(array_agg(id) FILTER (WHERE p && ARRAY['approve', 'manage']::varchar[]), '{}') AS approve,
                   coalesce(array_agg(id) FILTER (WHERE p && ARRAY['manage']::varchar[]), '{}') AS manage,
                   (SELECT coalesce(array_agg(DISTINCT environment_id), '{}') FROM mine
                     WHERE environment_id IS NOT NULL AND permission = 'manage') AS managed_environments,
                   (SELECT coalesce(array_agg(DISTINCT environment_id), '{}') FROM mine
                     WHERE environment_id IS NOT NULL) AS my_environments,
                   (SELECT coalesce(array_agg(DISTINCT environment_id), '{}') FROM grants
                     WHERE environment_id IS NOT NULL) AS restricted_environments
            FROM held""";

    /**
     * For a CI job acting as a team: every server counts as restricted, and the job sees and deploys exactly where the
     * team's grants say (manage counts as deploy); it approves and manages nothing.
     */
    private static final String TEAM_ACCESS = """
            WITH mine AS (SELECT g.environment_id, g.server_id, g.permission FROM grants g WHERE g.team_id = $1),
            srv AS (
              SELECT s.id, e.id AS env FROM servers s LEFT JOIN environments e ON lower(e.name) = lower(s.environment)
              WHERE $2::bigint IS NULL OR s.id = $2),
            held AS (
              SELECT r.id, array_agg(DISTINCT m.permission) FILTER (WHERE m.permission IS NOT NULL) AS p
              FROM srv r LEFT JOIN mine m ON m.environment_id = r.env OR m.server_id = r.id GROUP BY r.id)
            SELECT coalesce(array_agg(id), '{}') AS restricted,
                   coalesce(array_agg(id) FILTER (WHERE p IS NOT NULL), '{}') AS view,
                   coalesce(array_agg(id) FILTER (WHERE p && ARRAY['deploy', 'manage']::varchar[]), '{}') AS deploy,
                   (SELECT coalesce(array_agg(DISTINCT environment_id), '{}') FROM mine WHERE environment_id IS NOT NULL) AS my_environments,
                   (SELECT coalesce(array_agg(id), '{}') FROM environments) AS restricted_environments
            FROM held""";

    // ---- grants ----

    private static final String GRANT_COLUMNS = "g.id, g.permission, g.environment_id, e.name AS environment, g.server_id, "
            + "s.alias AS server, coalesce(e.id, se.id) AS scope_environment_id, g.team_id, t.name AS team, g.user_id, "
            + "u.username AS username, g.created_by, g.created_at";
    private static final String GRANT_FROM = " FROM grants g LEFT JOIN environments e ON e.id = g.environment_id "
            + "LEFT JOIN servers s ON s.id = g.server_id LEFT JOIN environments se ON lower(se.name) = lower(s.environment) "
            + "LEFT JOIN teams t ON t.id = g.team_id LEFT JOIN users u ON u.id = g.user_id";

    private final Pool pool;

    public AccessRepository(Pool pool) {
        this.pool = pool;
    }

    Pool pool() {
        return pool;
    }

    /** The transaction's connection, or the pool when there is no transaction (a read on its own). */
    private SqlClient on(Tx tx) {
        return tx == null ? pool : tx.client();
    }

    /** The access of {@code userId} (null: no user) with {@code role}, over all servers or only {@code serverId}. */
    Uni<Access> load(Tx tx, Long userId, Role role, Long serverId) {
        return load(on(tx), userId, role, serverId);
    }

    private Uni<Access> load(SqlClient c, Long userId, Role role, Long serverId) {
        return c.preparedQuery(ACCESS).execute(Tuple.of(userId, serverId)).map(rows -> {
            Row r = rows.iterator().next();
            return new Access(role, set(r, "restricted"), set(r, "view"), set(r, "deploy"), set(r, "approve"), set(r, "manage"),
                    set(r, "managed_environments"), set(r, "restricted_environments"), set(r, "my_environments"));
        });
    }

    /** A CI job's access as {@code teamId}, over all servers or only {@code serverId}. */
    Uni<Access> team(Tx tx, long teamId, Long serverId) {
        return on(tx).preparedQuery(TEAM_ACCESS).execute(Tuple.of(teamId, serverId)).map(rows -> {
            Row r = rows.iterator().next();
            return new Access(Role.OPERATOR, set(r, "restricted"), set(r, "view"), set(r, "deploy"), Set.of(), Set.of(), Set.of(),
                    set(r, "restricted_environments"), set(r, "my_environments"));
        });
    }

    private static Set<Long> set(Row r, String column) {
        Long[] ids = r.getArrayOfLongs(column);
        return ids == null || ids.length == 0 ? Set.of() : Set.copyOf(Arrays.asList(ids));
    }

    /** A user as they are now: id, name, role, active; by id or (when the id is null) by name. */
    Uni<UserNow> user(Tx tx, Long id, String username) {
        return on(tx).preparedQuery("SELECT id, username, role, active FROM users WHERE CASE WHEN $1::bigint IS NULL "
                        + "THEN lower(username) = lower($2::text) ELSE id = $1 END")
                .execute(Tuple.of(id, username)).map(rows -> Rows.first(rows, r -> new UserNow(r.getLong("id"),
                        r.getString("username"), Role.parse(r.getString("role")).orElse(Role.VIEWER), r.getBoolean("active"))));
    }

    record UserNow(long id, String username, Role role, boolean active) {
    }

    // ---- teams ----

    Uni<List<TeamView>> teams() {
        return pool.query("SELECT t.id, t.name, t.description, t.created_at, "
                        + "coalesce(json_agg(json_build_object('id', u.id, 'username', u.username) ORDER BY lower(u.username)) "
                        + "FILTER (WHERE u.id IS NOT NULL), '[]')::text AS members, "
                        + "(SELECT count(*) FROM grants g WHERE g.team_id = t.id) AS grants "
                        + "FROM teams t LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id "
                        + "GROUP BY t.id ORDER BY lower(t.name)").execute()
                .map(rows -> Rows.list(rows, AccessRepository::team));
    }

    Uni<TeamView> team(Tx tx, long id) {
        SqlClient c = on(tx);
        return c.preparedQuery("SELECT t.id, t.name, t.description, t.created_at, "
                        + "coalesce(json_agg(json_build_object('id', u.id, 'username', u.username) ORDER BY lower(u.username)) "
                        + "FILTER (WHERE u.id IS NOT NULL), '[]')::text AS members, "
                        + "(SELECT count(*) FROM grants g WHERE g.team_id = t.id) AS grants "
                        + "FROM teams t LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id "
                        + "WHERE t.id = $1 GROUP BY t.id").execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, AccessRepository::team));
    }

    private static TeamView team(Row r) {
        List<TeamView.Member> members = new ArrayList<>();
        io.vertx.core.json.JsonArray arr = new io.vertx.core.json.JsonArray(r.getString("members"));
        for (int i = 0; i < arr.size(); i++) {
            io.vertx.core.json.JsonObject o = arr.getJsonObject(i);
            members.add(new TeamView.Member(o.getLong("id"), o.getString("username")));
        }
        return new TeamView(r.getLong("id"), r.getString("name"), r.getString("description"), members,
                r.getLong("grants"), r.getOffsetDateTime("created_at"));
    }

    /** The team's id by id or name; null when there is none. */
    Uni<Long> teamId(Tx tx, String ref) {
        SqlClient c = on(tx);
        Long id = ref.matches("\\d{1,18}") ? Long.parseLong(ref) : null;
        return c.preparedQuery("SELECT id FROM teams WHERE id = $1 OR lower(name) = lower($2) ORDER BY id = $1 DESC LIMIT 1")
                .execute(Tuple.of(id, ref)).map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** The user's id by id or username; null when there is none. */
    Uni<Long> userId(Tx tx, String ref) {
        SqlClient c = on(tx);
        Long id = ref.matches("\\d{1,18}") ? Long.parseLong(ref) : null;
        return c.preparedQuery("SELECT id FROM users WHERE id = $1 OR lower(username) = lower($2) ORDER BY id = $1 DESC LIMIT 1")
                .execute(Tuple.of(id, ref)).map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** The id of a new team, or null when the name is taken. */
    Uni<Long> insertTeam(Tx tx, String name, String description) {
        return tx.client().preparedQuery("INSERT INTO teams (name, description) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.of(name, description)).map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** False when no team has this id; a taken name fails with a unique violation (the caller maps it). */
    Uni<Boolean> updateTeam(Tx tx, long id, String name, String description) {
        return tx.client().preparedQuery("UPDATE teams SET name = $2, description = $3 WHERE id = $1")
                .execute(Tuple.of(id, name, description)).map(rows -> rows.rowCount() == 1);
    }

    Uni<Boolean> nameTaken(Tx tx, String name, long exceptId) {
        SqlClient c = on(tx);
        return c.preparedQuery("SELECT 1 FROM teams WHERE lower(name) = lower($1) AND id <> $2").execute(Tuple.of(name, exceptId))
                .map(rows -> rows.size() > 0);
    }

    Uni<Boolean> deleteTeam(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM teams WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** True when the user was added (false: already a member). */
    Uni<Boolean> addMember(Tx tx, long teamId, long userId) {
        return tx.client().preparedQuery("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(teamId, userId)).map(rows -> rows.rowCount() == 1);
    }

    Uni<Boolean> removeMember(Tx tx, long teamId, long userId) {
        return tx.client().preparedQuery("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
                .execute(Tuple.of(teamId, userId)).map(rows -> rows.rowCount() == 1);
    }

    /** Grants, all or those within the given environments (on them, or on their servers); filtered by environment or server. */
    Uni<List<GrantView>> grants(Long[] withinEnvironments, Long environmentId, Long serverId) {
        return pool.preparedQuery("SELECT " + GRANT_COLUMNS + GRANT_FROM
                        + " WHERE ($1::bigint[] IS NULL OR coalesce(e.id, se.id) = ANY($1)) "
                        + "AND ($2::bigint IS NULL OR g.environment_id = $2) AND ($3::bigint IS NULL OR g.server_id = $3) "
                        + "ORDER BY lower(coalesce(e.name, se.name, '')), lower(coalesce(s.alias, '')), g.permission, g.id")
                .execute(Tuple.of(withinEnvironments, environmentId, serverId)).map(rows -> Rows.list(rows, AccessRepository::grant));
    }

    Uni<GrantView> grant(Tx tx, long id) {
        SqlClient c = on(tx);
        return c.preparedQuery("SELECT " + GRANT_COLUMNS + GRANT_FROM + " WHERE g.id = $1").execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, AccessRepository::grant));
    }

    private static GrantView grant(Row r) {
        return new GrantView(r.getLong("id"), r.getString("permission"), r.getString("environment"), r.getString("server"),
                r.getLong("server_id"), r.getLong("scope_environment_id"), r.getString("team"), r.getString("username"),
                r.getString("created_by"), r.getOffsetDateTime("created_at"));
    }

    /** The new grant's id, or null when the same grant exists. */
    Uni<Long> insertGrant(Tx tx, Long environmentId, Long serverId, Long teamId, Long userId, String permission, String by) {
        return tx.client().preparedQuery("INSERT INTO grants (environment_id, server_id, team_id, user_id, permission, created_by) "
                        + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.from(new Object[]{environmentId, serverId, teamId, userId, permission, by}))
                .map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    Uni<Boolean> deleteGrant(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM grants WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** An environment's id by name; null when there is none. */
    Uni<Long> environmentId(Tx tx, String name) {
        SqlClient c = on(tx);
        return c.preparedQuery("SELECT id FROM environments WHERE lower(name) = lower($1)").execute(Tuple.of(name))
                .map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** A server by id, alias or host: its id, alias and its environment's id (null: none); null when there is none. */
    Uni<ServerRef> server(Tx tx, String ref) {
        SqlClient c = on(tx);
        Long id = ref.matches("\\d{1,18}") ? Long.parseLong(ref) : null;
        return c.preparedQuery("SELECT s.id, s.alias, e.id AS env FROM servers s LEFT JOIN environments e "
                        + "ON lower(e.name) = lower(s.environment) WHERE s.id = $1 OR lower(s.alias) = lower($2) OR lower(s.host) = lower($2) "
                        + "ORDER BY s.id = $1 DESC, lower(s.alias) = lower($2) DESC, s.id LIMIT 1")
                .execute(Tuple.of(id, ref)).map(rows -> Rows.first(rows, r -> new ServerRef(r.getLong("id"), r.getString("alias"),
                        r.getLong("env"))));
    }

    record ServerRef(long id, String alias, Long environmentId) {
    }

    /** Environments by id to name, for messages. */
    Uni<Map<Long, String>> environmentNames() {
        return pool.query("SELECT id, name FROM environments ORDER BY lower(name)").execute().map(rows -> {
            Map<Long, String> out = new LinkedHashMap<>();
            rows.forEach(r -> out.put(r.getLong(0), r.getString(1)));
            return out;
        });
    }
}
