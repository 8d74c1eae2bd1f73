package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who reads each live log stream open on this replica, so that a stream ends with its reader's rights: when a user row
 * changes (deactivated, signed out everywhere, role changed) or who may see what changes (grants, teams, members,
 * environments, servers), both notified by PostgreSQL to every replica, each affected reader is checked again, and a
 * reader who may no longer read has the stream ended. Their EventSource then reconnects and is answered 401 or 404.
 */
@ApplicationScoped
public class StreamReaders {

    private static final Logger LOG = Logger.getLogger(StreamReaders.class);

    private final Set<Reader> open = ConcurrentHashMap.newKeySet();
    private final UserService users;
    private final AccessService access;

    public StreamReaders(UserService users, AccessService access) {
        this.users = users;
        this.access = access;
    }

    /**
     * One open stream: its reader (null for a break-glass user), the server, the credentials generation it was opened
     * under (null when not known), and how to end it.
     */
    record Reader(TriggerPrincipal principal, long serverId, Integer generation, Runnable end) {
    }

    /** The credentials generation a stream is opened under now (signing out everywhere moves it on); null for none. */
    Uni<Integer> generation(TriggerPrincipal p) {
        return p == null || p.userId() == null ? Uni.createFrom().nullItem()
                : users.live(p.userId()).map(u -> u == null ? null : u.generation());
    }

    /** Tracks a stream until the returned action is run (when it ends). */
    Runnable add(Reader reader) {
        open.add(reader);
        return () -> open.remove(reader);
    }

    /** A user row changed: that user's streams end unless they may still read them as they are now. */
    void userChanged(long userId) {
        for (Reader r : open) {
            TriggerPrincipal p = r.principal();
            if (p == null || p.userId() == null || p.userId() != userId) {
                continue;
            }
            users.live(userId).chain(u -> {
                if (u == null || !u.active()) {
                    return Uni.createFrom().item(false);
                }
                boolean sameCredentials = p.authType() == TriggerPrincipal.AuthType.API_TOKEN || r.generation() == null
                        || r.generation() == u.generation();
                if (!sameCredentials) {
                    return Uni.createFrom().item(false);
                }
                Role role = p.role().atLeast(u.role()) ? u.role() : p.role();
                return access.of(userId, role).map(a -> a.sees(r.serverId()));
            }).subscribe().with(mayRead -> endUnless(mayRead, r),
                    failure -> LOG.debugf("Re-checking live stream readers of user %d: %s", userId, failure.getMessage()));
        }
    }

    /** Who may see what changed: every stream whose reader no longer sees its server ends. */
    void accessChanged() {
        for (Reader r : open) {
            TriggerPrincipal p = r.principal();
            if (p == null || p.userId() == null) {
                continue;
            }
            access.of(p).subscribe().with(a -> endUnless(a.sees(r.serverId()), r),
                    failure -> LOG.debugf("Re-checking live stream readers: %s", failure.getMessage()));
        }
    }

    private static void endUnless(boolean mayRead, Reader r) {
        if (!mayRead) {
            r.end().run();
        }
    }
}
