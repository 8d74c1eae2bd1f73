package io.triggerdeploy.deploy;

import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.ssh.Cancellation;
import io.triggerdeploy.ssh.SshService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.util.function.BooleanSupplier;

/** Runs one claimed deployment to its end on the calling runner thread (see {@link Execution}). */
@ApplicationScoped
public class DeploymentExecutor {

    final DeploymentRepository repository;
    final SshService ssh;
    final Masker masker;
    final LiveLines live;
    final DeployConfig config;
    final Periodic periodic;
    final Event<DeploymentLifecycle> lifecycle;
    final String replica;
    final SecretBox secrets;
    final ServiceProbe probe;

    public DeploymentExecutor(DeploymentRepository repository, SshService ssh, Masker masker, LiveLines live, DeployConfig config,
                              Periodic periodic, Event<DeploymentLifecycle> lifecycle, ReplicaName replica, SecretBox secrets,
                              ServiceProbe probe) {
        this.repository = repository;
        this.ssh = ssh;
        this.masker = masker;
        this.live = live;
        this.config = config;
        this.periodic = periodic;
        this.lifecycle = lifecycle;
        this.replica = replica.get();
        this.secrets = secrets;
        this.probe = probe;
    }

    /** Blocking: call it on a runner thread, never on an event loop. */
    void execute(Claim claim, Cancellation cancel, BooleanSupplier shuttingDown) {
        new Execution(this, claim, cancel, shuttingDown).run();
    }
}
