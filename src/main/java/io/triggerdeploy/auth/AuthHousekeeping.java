package io.triggerdeploy.auth;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.audit.AuditConfig;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.db.BootstrapStep;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every 10 minutes, deletes expired browser sessions, stale login-throttle counters, audit records past their
 * retention and webhook delivery ids older than 90 days. The deletes are
 * idempotent, so every replica may run them; a round the database misses is simply skipped.
 */
@ApplicationScoped
public class AuthHousekeeping implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(AuthHousekeeping.class);

    private final WebSessions sessions;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final AuditConfig auditConfig;
    private volatile ScheduledExecutorService scheduler;

    private final io.vertx.mutiny.sqlclient.Pool pool;

    public AuthHousekeeping(WebSessions sessions, LoginThrottle throttle, AuditLog audit, AuditConfig auditConfig,
                            io.vertx.mutiny.sqlclient.Pool pool) {
        this.pool = pool;
        this.sessions = sessions;
        this.throttle = throttle;
        this.audit = audit;
        this.auditConfig = auditConfig;
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public void run() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "auth-housekeeping");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::clean, 1, 10, TimeUnit.MINUTES);
    }

    void clean() {
        try {
            int s = VertxContextSupport.subscribeAndAwait(sessions::purgeExpired);
            int t = VertxContextSupport.subscribeAndAwait(throttle::purgeExpired);
            int a = VertxContextSupport.subscribeAndAwait(() -> audit.purgeOlderThan(auditConfig.retentionDays()));
            // delivery ids are kept 90 days to refuse replays; a sender does not redeliver older ones
            VertxContextSupport.subscribeAndAwait(() -> pool.query("DELETE FROM hook_deliveries WHERE received_at < now() - interval '90 days'")
                    .execute().replaceWithVoid());
            if (s + t + a > 0) {
                LOG.debugf("Removed %d expired sessions, %d stale login counters and %d audit records older than %d days",
                        s, t, a, auditConfig.retentionDays());
            }
        } catch (Throwable e) {
            LOG.debugf("Auth housekeeping skipped a round: %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
