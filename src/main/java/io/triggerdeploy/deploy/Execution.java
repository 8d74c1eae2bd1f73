package io.triggerdeploy.deploy;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.ServerFields;
import io.triggerdeploy.ssh.Cancellation;
import io.triggerdeploy.ssh.ExecResult;
import io.triggerdeploy.ssh.OutputText;
import io.triggerdeploy.ssh.ShellQuote;
import io.triggerdeploy.ssh.SshFailure;
import io.triggerdeploy.ssh.SshTarget;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * One run of one claimed deployment: its log writer (flushed every 200 ms), its lease (renewed every third of the
 * lease, which also picks up a cancel requested on another replica), the SSH command, and the recorded outcome.
 */
final class Execution {

    private static final Logger LOG = Logger.getLogger(Execution.class);
    private static final Duration FLUSH_EVERY = Duration.ofMillis(200);

    private final DeploymentExecutor deps;
    private final Claim claim;
    private final Cancellation cancel;
    private final BooleanSupplier shuttingDown;
    private final LogWriter log;
    private final Map<String, String> plain = new TreeMap<>();
    private final Map<String, String> secret = new TreeMap<>();

    /** The server's secret variables, opened (also in {@link #secret} unless a parameter has the name). */
    private final Map<String, String> variables = new TreeMap<>();

    /** Why the secret values cannot be opened here (then nothing runs); null when they can. */
    private final String secretProblem;
    private volatile boolean lost;
    private final StepLog steps;

    Execution(DeploymentExecutor deps, Claim claim, Cancellation cancel, BooleanSupplier shuttingDown) {
        this.deps = deps;
        this.claim = claim;
        this.cancel = cancel;
        this.shuttingDown = shuttingDown;
        this.secretProblem = openSecrets();
        this.log = new LogWriter(claim.id(), deps.repository, deps.masker, secret.values(), deps.live,
                deps.config.logMaxBytes());
        this.steps = new StepLog(claim, log, deps);
    }

    /** How the run (or one command of it) ended, before it is recorded; {@code failedStep} names the step that failed. */
    record Outcome(DeploymentStatus status, Integer exitCode, String error, String sshFailure, String failedStep) {

        Outcome(DeploymentStatus status, Integer exitCode, String error, String sshFailure) {
            this(status, exitCode, error, sshFailure, null);
        }

        boolean ok() {
            return status == DeploymentStatus.SUCCEEDED;
        }

        Outcome at(String step) {
            return new Outcome(status, exitCode, error, sshFailure, step);
        }

        Outcome withError(String more) {
            return new Outcome(status, exitCode, error == null ? more : error + "; " + more, sshFailure, failedStep);
        }
    }

    /** Splits the recorded values into plain and secret ones, opening the sealed ones; the problem, or null. */
    private String openSecrets() {
        Map<String, String> sealed = Parameters.readMap(claim.sealedParameters());
        if (claim.view().parameters() != null) {
            claim.view().parameters().forEach((name, value) -> {
                if (!sealed.containsKey(name)) {
                    plain.put(name, value);
                }
            });
        }
        try {
            Parameters.readMap(claim.secretVariables()).forEach((name, value) -> {
                variables.put(name, deps.secrets.open(ServerFields.variableName(name), value));
                if (!plain.containsKey(name)) {
                    secret.put(name, variables.get(name));
                }
            });
            sealed.forEach((name, value) -> secret.put(name, deps.secrets.open(DeploymentService.sealedName(name), value)));
            return null;
        } catch (SecretBox.SecretUnavailable e) {
            secret.clear();
            variables.clear();
            return "A secret cannot be opened on this replica: " + e.getMessage() + ". The command was not run.";
        }
    }

    void run() {
        MDC.put("deployment_id", String.valueOf(claim.id()));
        Periodic.Handle flushing = deps.periodic.every("Log flush of deployment " + claim.id(), FLUSH_EVERY, FLUSH_EVERY,
                () -> Workers.run(() -> {
                    log.flush();
                    return null;
                }));
        Duration renewEvery = Duration.ofSeconds(Math.max(1, deps.config.lease().toSeconds() / 3));
        Periodic.Handle renewing = deps.periodic.every("Lease renewal of deployment " + claim.id(), renewEvery, renewEvery,
                this::renew);
        try {
            deps.lifecycle.fireAsync(DeploymentLifecycle.started(claim.view()));
            long t0 = System.nanoTime();
            announce();
            Outcome o = adjusted(secretProblem != null
                    ? new Outcome(DeploymentStatus.FAILED, null, secretProblem, null) : new StepRun(this, claim, steps).run());
            steps.close(o);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (o.error() != null) {
                log.system("Error: " + o.error());
            }
            log.system("Finished: " + o.status() + (o.exitCode() == null ? "" : " (exit code " + o.exitCode() + ")")
                    + (o.failedStep() == null ? "" : " at step " + o.failedStep()) + " in " + ms / 1000.0 + " s");
            flushing.cancel();
            renewing.cancel();
            log.flush();
            record(o);
        } finally {
            flushing.cancel();
            renewing.cancel();
            deps.live.end(claim.id());
            MDC.remove("deployment_id");
        }
    }

    /** The first lines of the log: where, what, by whom, which version and values (secrets as ***). */
    private void announce() {
        DeploymentView v = claim.view();
        log.system("Deploying " + claim.alias() + " (" + claim.user() + "@" + claim.host() + ":" + claim.port() + ") in "
                + claim.path() + ": " + claim.command() + " — requested by " + claim.requestedBy() + ", run by " + deps.replica
                + (v.origin() == null ? "" : " (" + new TriggerCommand.Origin(v.origin(), v.originId()).describe() + ")"));
        if (v.parameters() != null) {
            StringBuilder sb = new StringBuilder("Parameters:");
            v.parameters().forEach((name, value) -> sb.append(' ').append(name).append('=')
                    .append(plain.containsKey(name) ? shown(value) : "***"));
            log.system(sb.toString());
        }
    }

    /** A value as a log line can show it: control characters visible, at most 200 characters. */
    private static String shown(String value) {
        String clean = OutputText.clean(value);
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    private io.smallrye.mutiny.Uni<Void> renew() {
        return deps.repository.renew(claim.id(), deps.replica, deps.config.lease().toSeconds()).map(cancelRequested -> {
            if (cancelRequested == null) {
                lost = true;
                cancel.cancel();
            } else if (cancelRequested) {
                cancel.cancel();
            }
            return null;
        }).onFailure().invoke(e -> LOG.warnf("Could not renew the lease of deployment %d: %s", claim.id(), e.getMessage()))
                .replaceWithVoid();
    }

    /** The values of the deployment: plain ones and opened secret ones. */
    record Values(Map<String, String> plain, Map<String, String> secret) {
    }

    Values values() {
        return new Values(plain, secret);
    }

    boolean cancelled() {
        return cancel.isCancelled();
    }

    LogWriter log() {
        return log;
    }

    ServiceProbe probe() {
        return deps.probe;
    }

    DeploymentRepository repository() {
        return deps.repository;
    }

    /** Runs one command in the server's path with {@code values}, streaming into the log, until {@code deadline}. */
    Outcome exec(String command, Values values, long deadline) {
        return exec(claim.target(), claim.path(), command, values, deadline);
    }

    /** The same on another server (a rollout's before or after command), in its path. */
    Outcome exec(SshTarget target, String path, String command, Values values, long deadline) {
        try {
            byte[] stdin = values.secret().isEmpty() ? null : ShellQuote.secretAssignments(values.secret());
            String remote = ShellQuote.remoteCommand(path, command, values.plain(), stdin == null ? 0 : stdin.length);
            Duration budget = Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
            ExecResult r = deps.ssh.exec(target, remote, stdin, log, budget, cancel);
            DeploymentStatus status = switch (r.outcome()) {
                case SUCCEEDED -> DeploymentStatus.SUCCEEDED;
                case FAILED -> DeploymentStatus.FAILED;
                case TIMED_OUT -> DeploymentStatus.TIMED_OUT;
                case CANCELLED -> DeploymentStatus.CANCELLED;
            };
            return new Outcome(status, r.exitCode(), r.error(), null);
        } catch (SshFailure f) {
            return new Outcome(DeploymentStatus.FAILED, null, f.getMessage(), f.kind().name());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Deployment %d failed unexpectedly", claim.id());
            return new Outcome(DeploymentStatus.FAILED, null, "Internal error: " + e.getClass().getSimpleName(), null);
        }
    }

    /** Opens the recorded values of an earlier deployment (for a rollback step); they are masked from here on. */
    Values valuesOf(DeploymentRepository.Source src) {
        Map<String, String> sealed = Parameters.readMap(src.sealedJson());
        Map<String, String> p = new TreeMap<>();
        Map<String, String> sec = new TreeMap<>(variables);
        Parameters.readMap(src.shownJson()).forEach((name, value) -> {
            if (!sealed.containsKey(name)) {
                p.put(name, value);
                sec.remove(name);
            }
        });
        sealed.forEach((name, value) -> sec.put(name, deps.secrets.open(DeploymentService.sealedName(name), value)));
        log.alsoMask(sec.values());
        return new Values(p, sec);
    }

    /** A lost claim or a shutdown that cut the run short is INTERRUPTED, whatever the command said. */
    private Outcome adjusted(Outcome o) {
        if (lost) {
            return new Outcome(DeploymentStatus.INTERRUPTED, o.exitCode(), "This replica lost its claim (lease expired)",
                    o.sshFailure(), o.failedStep());
        }
        if (shuttingDown.getAsBoolean() && o.status() == DeploymentStatus.CANCELLED) {
            return new Outcome(DeploymentStatus.INTERRUPTED, null, "Replica " + deps.replica
                    + " shut down before the deployment finished (grace period " + deps.config.shutdownGrace().toSeconds() + " s)",
                    o.sshFailure(), o.failedStep());
        }
        return o;
    }

    private void record(Outcome o) {
        try {
            DeploymentView done = VertxContextSupport.subscribeAndAwait(() -> deps.repository.finish(claim.id(), deps.replica,
                    o.status(), o.exitCode(), o.error(), o.failedStep()));
            if (done == null) {
                LOG.warnf("Deployment %d ended %s here, but another replica had already marked it", claim.id(), o.status());
            } else {
                DeploymentLifecycle ended = DeploymentLifecycle.finished(done, o.sshFailure(), log.lastLines());
                deps.lifecycle.fire(ended); // what must react at once (a rollout's next wave), on this thread
                deps.lifecycle.fireAsync(ended);
            }
        } catch (Throwable e) {
            LOG.errorf("Could not record the end of deployment %d (%s): %s; the reaper will mark it INTERRUPTED",
                    claim.id(), o.status(), e.getMessage());
        }
    }
}
