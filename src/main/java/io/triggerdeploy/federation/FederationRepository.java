package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.UserService;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SQL of sign-in through an identity provider: users made and updated from what the provider says, the group mapping
 * table and the team memberships it decides, and the state of OIDC logins in flight.
 */
@ApplicationScoped
public class FederationRepository {

    // ---- the mapping table

    private static final String MAPPINGS = "SELECT m.id, m.provider, m.idp_group, m.role, m.team_id, t.name AS team_name, "
            + "m.created_by, m.created_at FROM group_mappings m LEFT JOIN teams t ON t.id = m.team_id";

    private final Pool pool;

    public FederationRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** A user that came from a provider, as the sign-in needs it. */
    record ExternalUser(long id, String username, String email, Role role, boolean active, int generation) {
    }

    Uni<Void> lockNamespace(Tx tx) {
        return tx.client().query("SELECT pg_advisory_xact_lock(" + UserService.NAMESPACE_LOCK + ")").execute().replaceWithVoid();
    }

    Uni<ExternalUser> findExternal(Tx tx, ExternalIdentity.Source source, String subject) {
        return tx.client().preparedQuery("SELECT id, username, email, role, active, token_generation FROM users "
                        + "WHERE source = $1 AND external_id = $2 FOR UPDATE")
                .execute(Tuple.of(source.id(), subject))
                .map(rows -> Rows.first(rows, r -> new ExternalUser(r.getLong("id"), r.getString("username"), r.getString("email"),
                        Role.parse(r.getString("role")).orElse(Role.VIEWER), r.getBoolean("active"), r.getInteger("token_generation"))));
    }

    /** Whether another user has this as username or email (the two share one namespace). */
    Uni<Boolean> nameTaken(Tx tx, String name, long exceptId) {
        return tx.client().preparedQuery("SELECT 1 FROM users WHERE (lower(username) = lower($1) OR lower(email) = lower($1)) AND id <> $2")
                .execute(Tuple.of(name, exceptId)).map(rows -> rows.size() > 0);
    }

    Uni<ExternalUser> insert(Tx tx, ExternalIdentity who, String email, Role role) {
        return tx.client().preparedQuery("INSERT INTO users (username, email, password_hash, role, active, source, external_id, external_groups, "
                        + "last_login_at) VALUES ($1, $2, '!', $3, TRUE, $4, $5, $6, now()) RETURNING id, token_generation")
                .execute(Tuple.from(new Object[]{who.username(), email, role.id(), who.source().id(), who.subject(),
                        who.groups().toArray(new String[0])}))
                .map(rows -> Rows.first(rows, r -> new ExternalUser(r.getLong("id"), who.username(), email, role, true,
                        r.getInteger("token_generation"))));
    }

    Uni<Void> update(Tx tx, long id, String username, String email, Role role, List<String> groups) {
        return tx.client().preparedQuery("UPDATE users SET username = $2::varchar, email = $3::varchar, role = $4::varchar, "
                        + "external_groups = $5::text[], last_login_at = now(), updated_at = CASE WHEN username = $2::varchar "
                        + "AND email IS NOT DISTINCT FROM $3::varchar AND role = $4::varchar THEN updated_at ELSE now() END WHERE id = $1")
                .execute(Tuple.from(new Object[]{id, username, email, role.id(), groups.toArray(new String[0])}))
                .replaceWithVoid();
    }

    Uni<Void> recordLogin(Tx tx, long id) {
        return tx.client().preparedQuery("UPDATE users SET last_login_at = now() WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** The mappings of this provider (and of any provider) whose group is one of {@code groups}, case-insensitively. */
    Uni<List<GroupMapping>> mappingsFor(Tx tx, ExternalIdentity.Source source, List<String> groups) {
        String[] lower = groups.stream().map(g -> g.toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);
        return tx.client().preparedQuery(MAPPINGS + " WHERE m.provider IN ('any', $1) AND lower(m.idp_group) = ANY($2::text[]) ORDER BY m.id")
                .execute(Tuple.of(source.id(), lower)).map(FederationRepository::mappings);
    }

    /** A team membership and whether the group mapping made it. */
    record Membership(long teamId, String team, boolean mapped) {
    }

    Uni<List<Membership>> memberships(Tx tx, long userId) {
        return tx.client().preparedQuery("SELECT m.team_id, t.name, m.mapped FROM team_members m JOIN teams t ON t.id = m.team_id "
                        + "WHERE m.user_id = $1").execute(Tuple.of(userId))
                .map(rows -> {
                    List<Membership> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Membership(r.getLong(0), r.getString(1), r.getBoolean(2))));
                    return out;
                });
    }

    /** Adds a membership made by the mapping (one an admin made already stays theirs). */
    Uni<Void> addMappedMember(Tx tx, long teamId, long userId) {
        return tx.client().preparedQuery("INSERT INTO team_members (team_id, user_id, mapped) VALUES ($1, $2, TRUE) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(teamId, userId)).replaceWithVoid();
    }

    Uni<Void> removeMappedMember(Tx tx, long teamId, long userId) {
        return tx.client().preparedQuery("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2 AND mapped")
                .execute(Tuple.of(teamId, userId)).replaceWithVoid();
    }

    public Uni<List<GroupMapping>> mappings() {
        return pool.query(MAPPINGS + " ORDER BY lower(m.idp_group), m.provider, m.id").execute().map(FederationRepository::mappings);
    }

    Uni<GroupMapping> mapping(Tx tx, long id) {
        return tx.client().preparedQuery(MAPPINGS + " WHERE m.id = $1").execute(Tuple.of(id))
                .map(rows -> mappings(rows).stream().findFirst().orElse(null));
    }

    /** The new mapping's id, or null when the same mapping exists. */
    Uni<Long> insertMapping(Tx tx, String provider, String group, Role role, Long teamId, String createdBy) {
        return tx.client().preparedQuery("INSERT INTO group_mappings (provider, idp_group, role, team_id, created_by) "
                        + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.of(provider, group, role == null ? null : role.id(), teamId, createdBy))
                .map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    Uni<GroupMapping> deleteMapping(Tx tx, long id) {
        return mapping(tx, id).call(m -> m == null ? Uni.createFrom().voidItem()
                : tx.client().preparedQuery("DELETE FROM group_mappings WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid());
    }

    /** A team's id by id or name (case-insensitive); null when there is none. */
    Uni<Map.Entry<Long, String>> team(Tx tx, String team) {
        Long id = null;
        try {
            id = Long.parseLong(team);
        } catch (NumberFormatException e) {
            // a name
        }
        return tx.client().preparedQuery("SELECT id, name FROM teams WHERE id = $1 OR lower(name) = lower($2) ORDER BY (id = $1) DESC LIMIT 1")
                .execute(Tuple.of(id == null ? -1L : id, team))
                .map(rows -> Rows.first(rows, r -> Map.entry(r.getLong(0), r.getString(1))));
    }

    private static List<GroupMapping> mappings(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<GroupMapping> out = new ArrayList<>();
        rows.forEach(r -> out.add(new GroupMapping(r.getLong("id"), r.getString("provider"), r.getString("idp_group"),
                r.getString("role"), r.getLong("team_id"),
                r.getString("team_name"), r.getString("created_by"), r.getOffsetDateTime("created_at"))));
        return out;
    }

    // ---- OIDC logins in flight

    Uni<Void> insertOidcLogin(String stateHash, String nonce, String verifier, String next, long ttlSeconds) {
        return pool.preparedQuery("INSERT INTO oidc_logins (state_hash, nonce, code_verifier, next_path, expires_at) "
                        + "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))")
                .execute(Tuple.from(new Object[]{stateHash, nonce, verifier, next, ttlSeconds})).replaceWithVoid();
    }

    /** An OIDC login in flight, taken once; null when unknown, used or expired. */
    record OidcLogin(String nonce, String verifier, String next) {
    }

    Uni<OidcLogin> takeOidcLogin(String stateHash) {
        return pool.preparedQuery("DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING nonce, code_verifier, next_path, expires_at > now() AS live")
                .execute(Tuple.of(stateHash))
                .map(rows -> Rows.first(rows, r -> Boolean.TRUE.equals(r.getBoolean("live"))
                        ? new OidcLogin(r.getString("nonce"), r.getString("code_verifier"), r.getString("next_path")) : null));
    }

    Uni<Integer> purgeOidcLogins() {
        return pool.query("DELETE FROM oidc_logins WHERE expires_at < now()").execute().map(r -> r.rowCount());
    }
}
