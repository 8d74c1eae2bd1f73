package io.triggerdeploy.audit;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.db.BootstrapStep;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Hourly: deletes audit records older than {@code trigger.audit.retention-days}. */
@ApplicationScoped
public class AuditRetention implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(AuditRetention.class);

    private final AuditRepository repository;
    private final AuditConfig config;
    private final Periodic periodic;

    public AuditRetention(AuditRepository repository, AuditConfig config, Periodic periodic) {
        this.repository = repository;
        this.config = config;
        this.periodic = periodic;
    }

    @Override
    public int order() {
        return 31;
    }

    @Override
    public void run() {
        periodic.every("Audit retention", Duration.ofMinutes(1), Duration.ofHours(1), this::purge);
    }

    Uni<Integer> purge() {
        return repository.purgeOlderThan(config.retentionDays()).invoke(n -> {
            if (n > 0) {
                LOG.debugf("Removed %d audit records older than %d days", (Object) n, config.retentionDays());
            }
        });
    }
}
