package io.triggerdeploy.monitor;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.deploy.ServiceProbe;
import jakarta.enterprise.context.ApplicationScoped;

/** A deployment's verify step asks the monitor to check a watched service by name, now; the check is recorded. */
@ApplicationScoped
public class DeployVerification implements ServiceProbe {

    private final WatchRepository repository;
    private final MonitorScheduler scheduler;

    public DeployVerification(WatchRepository repository, MonitorScheduler scheduler) {
        this.repository = repository;
        this.scheduler = scheduler;
    }

    @Override
    public Uni<Probe> probe(String serviceName, long deploymentId) {
        return repository.targetByName(serviceName).chain(t -> {
            if (t == null) {
                return Uni.createFrom().item(new Probe(false, false, "no watched service is named '" + serviceName + "'"));
            }
            return scheduler.run(t, "verify", deploymentId).map(c -> new Probe(true, "UP".equals(c.status()),
                    c.status() + (c.error() == null ? "" : ": " + c.error())));
        });
    }
}
