package io.triggerdeploy.chat;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The Slack tables: user links, one-time link codes, accepted request signatures, reply addresses. */
@ApplicationScoped
public class SlackRepository {

    private final Pool pool;

    public SlackRepository(Pool pool) {
        this.pool = pool;
    }

    /** Records a request's signature; false when it was seen before (a replay), on any replica. */
    Uni<Boolean> firstTime(String signature) {
        return pool.preparedQuery("INSERT INTO slack_requests (signature) VALUES ($1) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(signature)).map(rows -> rows.rowCount() == 1);
    }

    /** The trigger-deploy user a Slack user is linked to; null when none. */
    Uni<Long> userOf(String slackUserId) {
        return pool.preparedQuery("SELECT user_id FROM slack_links WHERE slack_user_id = $1").execute(Tuple.of(slackUserId))
                .map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    Uni<Void> link(Tx tx, String slackUserId, long userId, String by) {
        return tx.client().preparedQuery("INSERT INTO slack_links (slack_user_id, user_id, linked_by) VALUES ($1, $2, $3) "
                        + "ON CONFLICT (slack_user_id) DO UPDATE SET user_id = $2, linked_by = $3, linked_at = now()")
                .execute(Tuple.of(slackUserId, userId, by)).replaceWithVoid();
    }

    /** Removes a link; whether there was one. */
    Uni<Boolean> unlink(Tx tx, String slackUserId) {
        return tx.client().preparedQuery("DELETE FROM slack_links WHERE slack_user_id = $1").execute(Tuple.of(slackUserId))
                .map(rows -> rows.rowCount() > 0);
    }

    Uni<Integer> unlinkUser(Tx tx, long userId) {
        return tx.client().preparedQuery("DELETE FROM slack_links WHERE user_id = $1").execute(Tuple.of(userId)).map(rows -> rows.rowCount());
    }

    Uni<List<SlackLink>> links() {
        return pool.query("SELECT l.slack_user_id, l.user_id, u.username, l.linked_by FROM slack_links l JOIN users u ON u.id = l.user_id "
                        + "ORDER BY lower(u.username), l.slack_user_id").execute()
                .map(rows -> Rows.list(rows, r -> new SlackLink(r.getString(0), r.getLong(1), r.getString(2), r.getString(3))));
    }

    Uni<List<String>> slackIdsOf(long userId) {
        return pool.preparedQuery("SELECT slack_user_id FROM slack_links WHERE user_id = $1 ORDER BY slack_user_id")
                .execute(Tuple.of(userId)).map(rows -> Rows.list(rows, r -> r.getString(0)));
    }

    /** Keeps a one-time code (its SHA-256) for a Slack user, replacing an earlier one of theirs. */
    Uni<Void> saveCode(String codeHash, String slackUserId, long validSeconds) {
        return pool.withTransaction(c -> c.preparedQuery("DELETE FROM slack_link_codes WHERE slack_user_id = $1")
                .execute(Tuple.of(slackUserId))
                .chain(() -> c.preparedQuery("INSERT INTO slack_link_codes (code_hash, slack_user_id, expires_at) "
                        + "VALUES ($1, $2, now() + ($3 * interval '1 second'))").execute(Tuple.of(codeHash, slackUserId, validSeconds))))
                .replaceWithVoid();
    }

    /** Uses up a code: the Slack user it was made for, or null when it is unknown or expired. */
    Uni<String> redeem(Tx tx, String codeHash) {
        return tx.client().preparedQuery("DELETE FROM slack_link_codes WHERE code_hash = $1 AND expires_at > now() RETURNING slack_user_id")
                .execute(Tuple.of(codeHash)).map(rows -> Rows.first(rows, r -> r.getString(0)));
    }

    Uni<Void> rememberReply(long deploymentId, String responseUrl) {
        return pool.preparedQuery("INSERT INTO slack_replies (deployment_id, response_url) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(deploymentId, responseUrl)).replaceWithVoid();
    }

    Uni<String> replyUrl(long deploymentId) {
        return pool.preparedQuery("SELECT response_url FROM slack_replies WHERE deployment_id = $1").execute(Tuple.of(deploymentId))
                .map(rows -> Rows.first(rows, r -> r.getString(0)));
    }

    /** Forgets what is no longer needed: signatures past the clock window, expired codes, replies older than a day. */
    Uni<Void> sweep(long signatureSeconds) {
        return pool.preparedQuery("DELETE FROM slack_requests WHERE seen_at < now() - ($1 * interval '1 second')")
                .execute(Tuple.of(signatureSeconds))
                .chain(() -> pool.query("DELETE FROM slack_link_codes WHERE expires_at < now()").execute())
                .chain(() -> pool.query("DELETE FROM slack_replies WHERE created_at < now() - interval '1 day'").execute())
                .replaceWithVoid();
    }
}
