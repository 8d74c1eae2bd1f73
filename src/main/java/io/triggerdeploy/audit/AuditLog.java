package io.triggerdeploy.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Keyset;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Tx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import static io.triggerdeploy.common.Text.blank;
import static io.triggerdeploy.common.Text.cut;

/**
 * Writes and reads the audit trail. Recording never fails the action it describes: a failed insert is logged
 * (without the details) and the action's answer goes out. Callers pass only names, ids and short descriptions.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    private final AuditRepository repository;
    private final CurrentVertxRequest request;

    public AuditLog(AuditRepository repository, CurrentVertxRequest request) {
        this.repository = repository;
        this.request = request;
    }

    /** The caller of the current HTTP request; call it while the request is being handled. */
    public Actor actor(SecurityIdentity identity) {
        RoutingContext rc = request.getCurrent();
        return Actor.of(identity, rc == null ? null : rc.request());
    }

    public Uni<Void> record(Actor actor, String action, String targetType, String target, String detail) {
        return record(actor, action, targetType, target, detail, true);
    }

    public Uni<Void> record(Actor actor, String action, String targetType, String target, String detail, boolean success) {
        return record(null, actor, null, action, targetType, target, detail, success);
    }

    /**
     * Records inside the transaction {@code tx} (null: on its own), so the record commits with the change it
     * describes; {@code via} says where the action came from (api, web, legacy, hook:&lt;name&gt;). A failed insert on its own is logged and swallowed; inside a transaction it fails the transaction.
     */
    public Uni<Void> record(Tx tx, Actor actor, String via, String action, String targetType, String target, String detail,
                            boolean success) {
        Uni<Void> insert = repository.insert(tx, entry(actor, via, action, targetType, target, detail, success));
        if (tx != null) {
            return insert;
        }
        return insert.onFailure().recoverWithItem(e -> {
            LOG.warnf("Could not record audit event %s: %s", action, e.getClass().getSimpleName());
            return null;
        });
    }

    /**
     * Records inside the Hibernate Reactive transaction of the calling {@code @WithTransaction} service method (servers,
     * users, API tokens): the record commits with the change, and a failed insert fails the change.
     */
    public Uni<Void> recordInSession(Actor actor, String action, String targetType, String target, String detail) {
        return repository.insertInSession(entry(actor, null, action, targetType, target, detail, true));
    }

    private static AuditRepository.AuditEntry entry(Actor actor, String via, String action, String targetType, String target,
                                                    String detail, boolean success) {
        return new AuditRepository.AuditEntry(cut(actor.name(), 254), actor.id(), action, targetType, cut(target, 254),
                cut(detail, 1000), cut(actor.ip(), 64), success, cut(via, 80));
    }

    public Uni<AuditPage> page(String actor, String action, String from, String to, Long cursor, int limit) {
        Keyset.limit(limit, 500);
        OffsetDateTime f = time(from, "from");
        OffsetDateTime t = time(to, "to");
        String actionFilter = blank(action) ? null : action.trim();
        String actorFilter = blank(actor) ? null : actor.trim();
        return repository.page(actorFilter, actionFilter, f, t, cursor, limit)
                .map(items -> new AuditPage(items, Keyset.next(items, limit, AuditEvent::id)));
    }

    private static OffsetDateTime time(String value, String field) {
        if (blank(value)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be an ISO-8601 time with offset, e.g. 2026-11-27T10:00:00Z");
        }
    }
}
