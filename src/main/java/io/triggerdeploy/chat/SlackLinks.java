package io.triggerdeploy.chat;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Which trigger-deploy user a Slack user acts as: linked by an admin, or by the user with the one-time code
 * {@code /deploy link} showed them in Slack. Each link and unlink commits with its audit record.
 */
@ApplicationScoped
public class SlackLinks {

    private final SlackRepository repository;
    private final UserService users;
    private final Transactions transactions;
    private final AuditLog audit;

    public SlackLinks(SlackRepository repository, UserService users, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.users = users;
        this.transactions = transactions;
        this.audit = audit;
    }

    public Uni<List<SlackLink>> all() {
        return repository.links();
    }

    /** The Slack user ids linked to a trigger-deploy user. */
    public Uni<List<String>> of(long userId) {
        return repository.slackIdsOf(userId);
    }

    /** An admin links a Slack user to the user named {@code username} (a new link replaces the old one). */
    public Uni<SlackLink> link(String slackUserId, String username, TriggerPrincipal admin, Actor actor) {
        if (slackUserId == null || !slackUserId.matches("[A-Z0-9]{1,32}")) {
            throw ProblemException.invalid("slack_user_id", "is a Slack user id such as U024BE7LH");
        }
        return users.credentials(username.trim()).chain(u -> {
            if (u == null) {
                throw ProblemException.invalid("username", "names no user");
            }
            return transactions.run(tx -> repository.link(tx, slackUserId, u.id(), admin.username())
                            .call(() -> audit.record(tx, actor, null, "slack.linked", "user", u.username(), "Slack user " + slackUserId, true)))
                    .map(v -> new SlackLink(slackUserId, u.id(), u.username(), admin.username()));
        });
    }

    /** An admin removes a Slack user's link. */
    public Uni<Void> unlink(String slackUserId, Actor actor) {
        return transactions.run(tx -> repository.unlink(tx, slackUserId).call(found -> {
            if (!found) {
                throw ProblemException.notFound("Slack user " + slackUserId + " is not linked");
            }
            return audit.record(tx, actor, null, "slack.unlinked", "slack", slackUserId, null, true);
        })).replaceWithVoid();
    }

    /** A user links the Slack account that was shown {@code code}; the Slack user then acts with the user's full role. */
    public Uni<Void> linkMine(TriggerPrincipal p, Actor actor, String code) {
        String normal = SlackCommands.normalise(code);
        if (!normal.matches("[A-Z0-9]{10}")) {
            throw ProblemException.invalid("code", "is the 10-character code /deploy link showed you, e.g. ABCDE-FGH23");
        }
        return transactions.run(tx -> repository.redeem(tx, Signatures.sha256(normal)).chain(slackId -> {
            if (slackId == null) {
                throw ProblemException.invalid("code", "is unknown or expired; run /deploy link again");
            }
            return repository.link(tx, slackId, p.userId(), p.username())
                    .call(() -> audit.record(tx, actor, null, "slack.linked", "user", p.username(), "Slack user " + slackId, true));
        }));
    }

    /** A user removes every link to their account. */
    public Uni<Void> unlinkMine(TriggerPrincipal p, Actor actor) {
        return transactions.run(tx -> repository.unlinkUser(tx, p.userId()).call(n -> n == 0 ? Uni.createFrom().voidItem()
                : audit.record(tx, actor, null, "slack.unlinked", "user", p.username(), n + " Slack account(s)", true))).replaceWithVoid();
    }
}
