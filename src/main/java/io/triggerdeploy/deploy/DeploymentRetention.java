package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Deletes finished deployments (their logs go with them) older than {@code trigger.deploy.log-retention-days}, hourly. */
@ApplicationScoped
public class DeploymentRetention {

    private static final Logger LOG = Logger.getLogger(DeploymentRetention.class);

    private final DeploymentRepository repository;
    private final Periodic periodic;
    private final DeployConfig config;

    public DeploymentRetention(DeploymentRepository repository, Periodic periodic, DeployConfig config) {
        this.repository = repository;
        this.periodic = periodic;
        this.config = config;
    }

    void start() {
        periodic.every("Deployment retention", Duration.ofMinutes(1), Duration.ofHours(1), this::purge);
    }

    Uni<Integer> purge() {
        return repository.purgeOlderThan(config.logRetentionDays()).invoke(n -> {
            if (n > 0) {
                LOG.infof("Removed %d deployments (with their logs) older than %d days", n, config.logRetentionDays());
            }
        });
    }
}
