package io.triggerdeploy.ci;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every statement about CI issuers, CI bindings and the ID tokens already exchanged. */
@ApplicationScoped
public class CiRepository {

    private static final String ISSUERS = "SELECT i.id, i.name, i.issuer, i.jwks_url, i.audience, "
            + "(SELECT count(*) FROM ci_bindings b WHERE b.issuer_id = i.id)::int AS bindings, i.created_by, i.created_at FROM ci_issuers i";
    private static final String BINDINGS = "SELECT b.id, b.name, b.issuer_id, i.name AS issuer, b.conditions::text AS conditions, "
            + "b.team_id, t.name AS team, b.lifetime_seconds, b.created_by, b.created_at "
            + "FROM ci_bindings b JOIN ci_issuers i ON i.id = b.issuer_id JOIN teams t ON t.id = b.team_id";

    private final Pool pool;

    public CiRepository(Pool pool) {
        this.pool = pool;
    }

    Uni<List<CiIssuer>> issuers() {
        return pool.query(ISSUERS + " ORDER BY lower(i.name)").execute().map(rows -> Rows.list(rows, CiRepository::issuer));
    }

    /** An issuer by id, name or issuer URL (null: none). */
    Uni<CiIssuer> issuer(Tx tx, String ref) {
        return tx.client().preparedQuery(ISSUERS + " WHERE i.id = $1 OR lower(i.name) = lower($2) OR i.issuer = $2 "
                        + "ORDER BY (i.id = $1) DESC, (i.issuer = $2) DESC LIMIT 1")
                .execute(Tuple.of(idOf(ref), ref)).map(rows -> Rows.first(rows, CiRepository::issuer));
    }

    /** The issuer whose tokens say exactly this {@code iss} (null: none is trusted). */
    Uni<CiIssuer> issuerFor(String iss) {
        return pool.preparedQuery(ISSUERS + " WHERE i.issuer = $1").execute(Tuple.of(iss)).map(rows -> Rows.first(rows, CiRepository::issuer));
    }

    /** The new issuer's id, or null when its name or issuer URL is taken. */
    Uni<Long> insertIssuer(Tx tx, String name, CiIssuerRequest r, String issuer, String createdBy) {
        return tx.client().preparedQuery("INSERT INTO ci_issuers (name, issuer, jwks_url, audience, created_by) VALUES ($1, $2, $3, $4, $5) "
                        + "ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.of(name, issuer, r.jwksUrl().strip(), r.audience().strip(), createdBy))
                .map(rows -> Rows.first(rows, row -> row.getLong(0)));
    }

    Uni<CiIssuer> issuer(Tx tx, long id) {
        return tx.client().preparedQuery(ISSUERS + " WHERE i.id = $1").execute(Tuple.of(id)).map(rows -> Rows.first(rows, CiRepository::issuer));
    }

    /** Deletes an issuer and its bindings; answers what it was (null: no such issuer). */
    Uni<CiIssuer> deleteIssuer(Tx tx, long id) {
        return issuer(tx, id).call(i -> i == null ? Uni.createFrom().nullItem()
                : tx.client().preparedQuery("DELETE FROM ci_issuers WHERE id = $1").execute(Tuple.of(id)));
    }

    Uni<List<CiBinding>> bindings() {
        return pool.query(BINDINGS + " ORDER BY lower(b.name)").execute().map(rows -> Rows.list(rows, CiRepository::binding));
    }

    /** The bindings of one issuer, oldest first. */
    Uni<List<CiBinding>> bindingsOf(long issuerId) {
        return pool.preparedQuery(BINDINGS + " WHERE b.issuer_id = $1 ORDER BY b.id").execute(Tuple.of(issuerId))
                .map(rows -> Rows.list(rows, CiRepository::binding));
    }

    /** A binding by id, read through the pool (null: none). */
    public Uni<CiBinding> binding(long id) {
        return pool.preparedQuery(BINDINGS + " WHERE b.id = $1").execute(Tuple.of(id)).map(rows -> Rows.first(rows, CiRepository::binding));
    }

    Uni<CiBinding> binding(Tx tx, long id) {
        return tx.client().preparedQuery(BINDINGS + " WHERE b.id = $1").execute(Tuple.of(id)).map(rows -> Rows.first(rows, CiRepository::binding));
    }

    /** The new binding's id, or null when its name is taken. */
    Uni<Long> insertBinding(Tx tx, String name, long issuerId, Map<String, String> conditions, long teamId, int lifetime, String createdBy) {
        return tx.client().preparedQuery("INSERT INTO ci_bindings (name, issuer_id, conditions, team_id, lifetime_seconds, created_by) "
                        + "VALUES ($1, $2, $3::text::jsonb, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.tuple(List.of(name, issuerId, new JsonObject(new LinkedHashMap<>(conditions)).encode(), teamId, lifetime,
                        createdBy)))
                .map(rows -> Rows.first(rows, row -> row.getLong(0)));
    }

    /** Deletes a binding; answers what it was (null: no such binding). */
    Uni<CiBinding> deleteBinding(Tx tx, long id) {
        return binding(tx, id).call(b -> b == null ? Uni.createFrom().nullItem()
                : tx.client().preparedQuery("DELETE FROM ci_bindings WHERE id = $1").execute(Tuple.of(id)));
    }

    /**
     * Records that an ID token was exchanged (its digest, until it expires): true the first time, false when it was
     * already. Forgets the ones that have expired, which their expiry refuses anyway.
     */
    Uni<Boolean> firstUse(Tx tx, String digest, OffsetDateTime expiresAt) {
        return tx.client().preparedQuery("DELETE FROM ci_token_uses WHERE expires_at < now() - interval '5 minutes'").execute()
                .chain(() -> tx.client().preparedQuery("INSERT INTO ci_token_uses (digest, expires_at) VALUES ($1, $2) "
                        + "ON CONFLICT DO NOTHING RETURNING 1").execute(Tuple.of(digest, expiresAt)))
                .map(rows -> rows.size() == 1);
    }

    /** A team by id or name: its id and name (null: none). */
    Uni<Map.Entry<Long, String>> team(Tx tx, String ref) {
        return tx.client().preparedQuery("SELECT id, name FROM teams WHERE id = $1 OR lower(name) = lower($2) ORDER BY (id = $1) DESC LIMIT 1")
                .execute(Tuple.of(idOf(ref), ref)).map(rows -> Rows.first(rows, r -> Map.entry(r.getLong(0), r.getString(1))));
    }

    private static Long idOf(String ref) {
        try {
            return Long.parseLong(ref.strip());
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private static CiIssuer issuer(Row r) {
        return new CiIssuer(r.getLong("id"), r.getString("name"), r.getString("issuer"), r.getString("jwks_url"), r.getString("audience"),
                r.getInteger("bindings"), r.getString("created_by"), r.getOffsetDateTime("created_at"));
    }

    private static CiBinding binding(Row r) {
        Map<String, String> conditions = new LinkedHashMap<>();
        new JsonObject(r.getString("conditions")).forEach(e -> conditions.put(e.getKey(), String.valueOf(e.getValue())));
        return new CiBinding(r.getLong("id"), r.getString("name"), r.getLong("issuer_id"), r.getString("issuer"), conditions,
                r.getLong("team_id"), r.getString("team"), r.getInteger("lifetime_seconds"), r.getString("created_by"),
                r.getOffsetDateTime("created_at"));
    }
}
