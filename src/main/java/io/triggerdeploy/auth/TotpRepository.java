package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** TOTP secrets, the last accepted step, recovery codes and web login challenges; plain SQL. */
@ApplicationScoped
public class TotpRepository {

    private final Pool pool;

    public TotpRepository(Pool pool) {
        this.pool = pool;
    }

    Pool pool() {
        return pool;
    }

    /** A user's sealed secret (null: none) and whether it is confirmed; null when there is no such user. */
    Uni<State> state(long userId) {
        return pool.preparedQuery("SELECT totp_secret, totp_enabled FROM users WHERE id = $1").execute(Tuple.of(userId))
                .map(rows -> Rows.first(rows, r -> new State(r.getString(0), r.getBoolean(1))));
    }

    record State(String sealedSecret, boolean enabled) {
    }

    /** A new secret waiting for its first code; refused (false) while one is confirmed. */
    Uni<Boolean> begin(Tx tx, long userId, String sealed) {
        return tx.client().preparedQuery("UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND NOT totp_enabled")
                .execute(Tuple.of(userId, sealed)).map(rows -> rows.rowCount() == 1);
    }

    /** Turns the pending secret on (false when it changed or was confirmed meanwhile) and replaces the recovery codes. */
    Uni<Boolean> confirm(Tx tx, long userId, String sealed, long step, List<String> recoveryHashes) {
        return tx.client().preparedQuery("UPDATE users SET totp_enabled = TRUE, totp_last_step = $3 "
                        + "WHERE id = $1 AND totp_secret = $2 AND NOT totp_enabled").execute(Tuple.of(userId, sealed, step))
                .chain(rows -> rows.rowCount() != 1 ? Uni.createFrom().item(false)
                        : tx.client().preparedQuery("DELETE FROM totp_recovery_codes WHERE user_id = $1").execute(Tuple.of(userId))
                        .chain(() -> tx.client().preparedQuery("INSERT INTO totp_recovery_codes (user_id, code_hash) "
                                        + "SELECT $1, unnest($2::varchar[])")
                                .execute(Tuple.of(userId, recoveryHashes.toArray(new String[0]))))
                        .map(x -> true));
    }

    /**
     * Records that a code of {@code step} was used: true only the first time a step this late or later is used
     * (a code, or an earlier one, presented again is refused on every replica).
     */
    Uni<Boolean> useStep(long userId, long step) {
        return pool.preparedQuery("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_enabled "
                        + "AND (totp_last_step IS NULL OR totp_last_step < $2)").execute(Tuple.of(userId, step))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Uses a recovery code: true the first time only. */
    Uni<Boolean> useRecoveryCode(long userId, String hash) {
        return pool.preparedQuery("UPDATE totp_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 "
                        + "AND used_at IS NULL").execute(Tuple.of(userId, hash)).map(rows -> rows.rowCount() == 1);
    }

    Uni<Long> recoveryCodesLeft(long userId) {
        return pool.preparedQuery("SELECT count(*) FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .execute(Tuple.of(userId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Removes the second factor (secret, state, recovery codes); false when the user had none. */
    Uni<Boolean> clear(Tx tx, long userId) {
        return tx.client().preparedQuery("UPDATE users SET totp_secret = NULL, totp_enabled = FALSE, totp_last_step = NULL "
                        + "WHERE id = $1 AND totp_secret IS NOT NULL").execute(Tuple.of(userId))
                .call(() -> tx.client().preparedQuery("DELETE FROM totp_recovery_codes WHERE user_id = $1").execute(Tuple.of(userId)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Every stored secret, by user id. */
    Uni<java.util.Map<Long, String>> sealedSecrets() {
        return pool.query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id").execute().map(rows -> {
            java.util.Map<Long, String> out = new java.util.LinkedHashMap<>();
            rows.forEach(r -> out.put(r.getLong(0), r.getString(1)));
            return out;
        });
    }

    /** Replaces a sealed secret if it is still the one read. */
    Uni<Boolean> reseal(long userId, String before, String after) {
        return pool.preparedQuery("UPDATE users SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2")
                .execute(Tuple.of(userId, before, after)).map(rows -> rows.rowCount() == 1);
    }

    Uni<Void> saveChallenge(String tokenHash, long userId, int seconds) {
        return pool.preparedQuery("INSERT INTO login_challenges (token_hash, user_id, expires_at) "
                        + "VALUES ($1, $2, now() + make_interval(secs => $3))").execute(Tuple.of(tokenHash, userId, seconds))
                .replaceWithVoid();
    }

    /** The user a challenge was made for, if it has not expired; it is used up either way. */
    Uni<Long> takeChallenge(String tokenHash) {
        return pool.preparedQuery("DELETE FROM login_challenges WHERE token_hash = $1 RETURNING user_id, expires_at > now() AS live")
                .execute(Tuple.of(tokenHash)).map(rows -> Rows.first(rows, r -> r.getBoolean("live") ? r.getLong("user_id") : null));
    }

    Uni<Void> purgeChallenges() {
        return pool.query("DELETE FROM login_challenges WHERE expires_at < now()").execute().replaceWithVoid();
    }
}
