package io.triggerdeploy.user;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.db.BootstrapStep;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Usernames and emails share one namespace (a login may be either). Rows from before that rule, or imported from
 * the old tool, may still collide: one user's username equal to another's email. This reports each collision at
 * start, with what to do, and changes nothing: which account is the right owner is an admin's decision.
 */
@ApplicationScoped
public class NamespaceCheck implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(NamespaceCheck.class);

    private final UserRepository users;

    public NamespaceCheck(UserRepository users) {
        this.users = users;
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public void run() throws Throwable {
        List<String> collisions = VertxContextSupport.subscribeAndAwait(() -> users.namespaceCollisions()).stream()
                .map(c -> "'" + c.getKey() + "' is also the email of user '" + c.getValue() + "'").toList();
        for (String c : collisions) {
            LOG.warnf("Username/email collision: %s; a login with that value signs in as the username's owner. "
                    + "Change one of them (PATCH /api/users/{id} with a new email).", c);
        }
    }
}
