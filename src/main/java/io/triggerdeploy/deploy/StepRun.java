package io.triggerdeploy.deploy;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.server.StepsSpec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order of a run: precheck commands (a failure ends it before anything changed), the deploy command, the
 * verification (commands, then watched services that must be UP within a time limit), and, when deploy or verify
 * failed, the recovery ({@code rollback}: the deploy command again with the values of the last successful
 * deployment before this one; or a custom command). The server's timeout covers precheck, deploy and verify
 * commands; the recovery gets a timeout of its own; the service wait is bounded by {@code within_seconds}. A cancel,
 * a timeout or a connection failure ends the run as it would without steps: no recovery runs.
 */
final class StepRun {

    private static final long PROBE_EVERY_MS = 2_000;

    private final Execution run;
    private final Claim claim;
    private final StepLog steps;
    private final StepsSpec spec;

    StepRun(Execution run, Claim claim, StepLog steps) {
        this.run = run;
        this.claim = claim;
        this.steps = steps;
        this.spec = claim.steps();
    }

    Execution.Outcome run() {
        long deadline = System.nanoTime() + claim.timeoutSeconds() * 1_000_000_000L;
        Claim.Hooks hooks = claim.hooks();
        if (hooks == null) {
            return steps(deadline);
        }
        if (hooks.before() != null) {
            Execution.Outcome before = hook("before", hooks.before(), deadline);
            if (before != null) {
                return before.at("before").withError("the rollout's before command failed, so nothing was deployed");
            }
        }
        Execution.Outcome o = spec == null ? deployOnly(deadline) : steps(deadline);
        if (o.ok() && hooks.after() != null) {
            Execution.Outcome after = hook("after", hooks.after(), deadline);
            if (after != null) {
                return after.at("after").withError("deployed, but the rollout's after command failed");
            }
        }
        return o;
    }

    private Execution.Outcome deployOnly(long deadline) {
        Execution.Outcome deployed = commands("deploy", List.of(claim.command()), deadline);
        return deployed == null ? new Execution.Outcome(DeploymentStatus.SUCCEEDED, 0, null, null) : deployed.at("deploy");
    }

    /**
     * A rollout's before or after command, on the host or on another server (in its path), with the deployment's values
     * and TD_HOST (the host's alias), TD_HOST_ADDRESS, TD_ROLLOUT_ID and TD_WAVE; null when it succeeded.
     */
    private Execution.Outcome hook(String step, Claim.Hook hook, long deadline) {
        Execution.Values base = run.values();
        Map<String, String> plain = new TreeMap<>(base.plain());
        plain.put("TD_HOST", claim.alias());
        plain.put("TD_HOST_ADDRESS", claim.host());
        DeploymentView v = claim.view();
        if (v.rolloutId() != null) {
            plain.put("TD_ROLLOUT_ID", String.valueOf(v.rolloutId()));
            plain.put("TD_WAVE", String.valueOf(v.wave()));
        }
        Execution.Values values = new Execution.Values(plain, base.secret());
        Claim.HookTarget where = null;
        if (hook.serverId() != null) {
            try {
                where = VertxContextSupport.subscribeAndAwait(() -> run.repository().hookTarget(hook.serverId()));
            } catch (Throwable e) {
                where = null;
            }
            if (where == null) {
                steps.mark(step, DeploymentStatus.FAILED.name(), "the server it runs on is gone");
                return new Execution.Outcome(DeploymentStatus.FAILED, null, "The server the " + step + " command runs on no longer exists",
                        null);
            }
        }
        steps.mark(step, StepLog.RUNNING, hook.command() + (where == null ? "" : " (on " + where.alias() + ")"));
        Execution.Outcome o = where == null ? run.exec(hook.command(), values, deadline)
                : run.exec(where.target(), where.path(), hook.command(), values, deadline);
        if (!o.ok()) {
            steps.mark(step, o.status().name(), hook.command() + ": " + (o.error() == null ? o.status().name() : o.error()));
            return o;
        }
        steps.mark(step, DeploymentStatus.SUCCEEDED.name(), null);
        return null;
    }

    private Execution.Outcome steps(long deadline) {
        if (spec == null) {
            return run.exec(claim.command(), run.values(), deadline);
        }
        Execution.Outcome pre = commands("precheck", spec.precheckCommands(), deadline);
        if (pre != null) {
            return pre.at("precheck").withError("the precheck failed, so nothing was deployed");
        }
        Execution.Outcome deployed = commands("deploy", List.of(claim.command()), deadline);
        if (deployed != null) {
            return recover(deployed.at("deploy"));
        }
        Execution.Outcome verified = verify(deadline);
        if (verified != null) {
            return recover(verified.at("verify"));
        }
        return new Execution.Outcome(DeploymentStatus.SUCCEEDED, 0, null, null);
    }

    /** Runs a step's commands in order; null when all succeeded, else the first failure (the step marked). */
    private Execution.Outcome commands(String step, List<String> commands, long deadline) {
        if (commands.isEmpty()) {
            return null;
        }
        steps.mark(step, StepLog.RUNNING, commands.size() == 1 ? commands.get(0) : commands.size() + " commands");
        for (String command : commands) {
            if (commands.size() > 1) {
                run.log().system("$ " + command);
            }
            Execution.Outcome o = run.exec(command, run.values(), deadline);
            if (!o.ok()) {
                steps.mark(step, o.status().name(), command + ": " + (o.error() == null ? o.status().name() : o.error()));
                return o;
            }
        }
        steps.mark(step, DeploymentStatus.SUCCEEDED.name(), null);
        return null;
    }

    /** Verify commands, then each named service UP within the limit; null when verified. */
    private Execution.Outcome verify(long deadline) {
        List<String> services = spec.verifyServices();
        if (spec.verifyCommands().isEmpty() && services.isEmpty()) {
            return null;
        }
        if (!spec.verifyCommands().isEmpty()) {
            Execution.Outcome o = commands("verify", spec.verifyCommands(), deadline);
            if (o != null) {
                return o;
            }
            if (services.isEmpty()) {
                return null;
            }
        }
        int within = spec.verify().within();
        steps.mark("verify", StepLog.RUNNING, "waiting up to " + within + " s for " + String.join(", ", services) + " to be UP");
        long until = System.nanoTime() + within * 1_000_000_000L;
        for (String service : services) {
            Execution.Outcome o = awaitUp(service, until, within);
            if (o != null) {
                steps.mark("verify", o.status().name(), o.error());
                return o;
            }
        }
        steps.mark("verify", DeploymentStatus.SUCCEEDED.name(), String.join(", ", services) + " UP");
        return null;
    }

    /** Checks {@code service} until it is UP (null) or the limit passes (FAILED), the run is cancelled (CANCELLED). */
    private Execution.Outcome awaitUp(String service, long until, int within) {
        String last = "not checked";
        while (true) {
            if (run.cancelled()) {
                return new Execution.Outcome(DeploymentStatus.CANCELLED, null, "Cancelled while verifying", null);
            }
            ServiceProbe.Probe p;
            try {
                p = VertxContextSupport.subscribeAndAwait(() -> run.probe().probe(service, claim.id()));
            } catch (Throwable e) {
                p = new ServiceProbe.Probe(true, false, "the check could not run: " + e.getMessage());
            }
            if (!p.found()) {
                return new Execution.Outcome(DeploymentStatus.FAILED, null, "Verification failed: " + p.detail(), null);
            }
            if (p.up()) {
                run.log().system("Service " + service + " is UP");
                return null;
            }
            last = p.detail();
            long left = until - System.nanoTime();
            if (left <= 0) {
                return new Execution.Outcome(DeploymentStatus.FAILED, null, "Verification failed: service " + service
                        + " was not UP within " + within + " s (last check: " + last + ")", null);
            }
            run.log().system("Service " + service + ": " + last + "; checking again");
            if (!pause(Math.min(PROBE_EVERY_MS, left / 1_000_000L + 1))) {
                return new Execution.Outcome(DeploymentStatus.CANCELLED, null, "Cancelled while verifying", null);
            }
        }
    }

    /** Sleeps in short slices; false when the run was cancelled meanwhile. */
    private boolean pause(long ms) {
        long end = System.nanoTime() + ms * 1_000_000L;
        try {
            while (System.nanoTime() < end) {
                if (run.cancelled()) {
                    return false;
                }
                Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !run.cancelled();
    }

    /** After a failed deploy or verify: the configured recovery, and the failure with what the recovery did. */
    private Execution.Outcome recover(Execution.Outcome failed) {
        String action = spec.failureAction();
        if ("none".equals(action)) {
            return failed;
        }
        String name = StepLog.recoveryName(spec);
        if (failed.status() != DeploymentStatus.FAILED || failed.sshFailure() != null) {
            steps.mark(name, StepLog.SKIPPED, failed.sshFailure() != null ? "the connection failed, nothing ran"
                    : "the run ended " + failed.status());
            return failed;
        }
        long deadline = System.nanoTime() + claim.timeoutSeconds() * 1_000_000_000L;
        if ("command".equals(action)) {
            Execution.Outcome o = commands(name, List.of(spec.onFailure().command()), deadline);
            return failed.withError(o == null ? "the on_failure command ran" : "the on_failure command failed too");
        }
        return rollback(failed, deadline);
    }

    private Execution.Outcome rollback(Execution.Outcome failed, long deadline) {
        DeploymentRepository.Source src;
        try {
            src = VertxContextSupport.subscribeAndAwait(() -> run.repository().lastSuccessBefore(claim.serverId(), claim.id()));
        } catch (Throwable e) {
            steps.mark("rollback", DeploymentStatus.FAILED.name(), "the last success could not be read: " + e.getMessage());
            return failed.withError("the rollback could not start");
        }
        if (src == null) {
            steps.mark("rollback", StepLog.SKIPPED, "no earlier successful deployment to roll back to");
            return failed.withError("no earlier successful deployment to roll back to");
        }
        String target = "#" + src.id() + (src.ref() == null ? "" : " (" + src.ref() + ")");
        Execution.Values values;
        try {
            values = run.valuesOf(src);
        } catch (SecretBox.SecretUnavailable e) {
            steps.mark("rollback", DeploymentStatus.FAILED.name(), "a secret of " + target + " cannot be opened");
            return failed.withError("the rollback to " + target + " could not run: a secret cannot be opened");
        }
        steps.mark("rollback", StepLog.RUNNING, "the deploy command with the values of " + target);
        Execution.Outcome o = run.exec(claim.command(), values, deadline);
        if (o.ok()) {
            steps.mark("rollback", DeploymentStatus.SUCCEEDED.name(), "rolled back to " + target);
            return failed.withError("rolled back to " + target);
        }
        steps.mark("rollback", o.status().name(), o.error());
        return failed.withError("the rollback to " + target + " failed too: " + o.error());
    }
}
