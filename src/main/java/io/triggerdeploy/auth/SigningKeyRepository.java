package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** The token signing key pair shared through the database. */
@ApplicationScoped
public class SigningKeyRepository {

    static final String PURPOSE = "jwt";

    private final Pool pool;

    public SigningKeyRepository(Pool pool) {
        this.pool = pool;
    }

    /** A stored key pair in PEM form. */
    public record StoredKey(String kid, String privatePem, String publicPem) {
    }

    public Uni<StoredKey> find() {
        return pool.preparedQuery("SELECT kid, private_key_pem, public_key_pem FROM signing_keys WHERE purpose = $1")
                .execute(Tuple.of(PURPOSE))
                .map(rows -> Rows.first(rows, r -> new StoredKey(r.getString(0), r.getString(1), r.getString(2))));
    }

    /** Inserts unless another replica got there first; the caller re-reads to learn which key won. */
    public Uni<Void> insertIfAbsent(StoredKey key) {
        return pool.preparedQuery("INSERT INTO signing_keys (purpose, kid, algorithm, private_key_pem, public_key_pem) "
                        + "VALUES ($1, $2, 'RS256', $3, $4) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(PURPOSE, key.kid(), key.privatePem(), key.publicPem()))
                .replaceWithVoid();
    }
}
