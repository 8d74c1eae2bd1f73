package io.triggerdeploy.deploy;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.StepsSpec;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of one run with steps: their states, a visible marker line in the log at each change
 * ({@code [step] verify: FAILED — detail}, which the live stream also sends as a {@code step} event), and the list
 * recorded on the deployment. A run without steps records nothing and writes no markers (its log stays as before).
 */
final class StepLog {

    static final String PENDING = "PENDING";
    static final String RUNNING = "RUNNING";
    static final String SKIPPED = "SKIPPED";
    private static final Logger LOG = Logger.getLogger(StepLog.class);

    /** A marker line as stored (stream 's'): name, state, optional detail. */
    private static final Pattern MARKER = Pattern.compile("\\[step] ([a-z_]+): ([A-Z_]+)(?: — (.*))?");

    private final Claim claim;
    private final LogWriter log;
    private final DeploymentExecutor deps;
    private final List<DeploymentView.Step> states = new ArrayList<>();

    StepLog(Claim claim, LogWriter log, DeploymentExecutor deps) {
        this.claim = claim;
        this.log = log;
        this.deps = deps;
        StepsSpec spec = claim.steps();
        Claim.Hooks hooks = claim.hooks();
        if (spec != null || hooks != null) {
            if (hooks != null && hooks.before() != null) {
                states.add(new DeploymentView.Step("before", PENDING, null));
            }
            if (spec != null && !spec.precheckCommands().isEmpty()) {
                states.add(new DeploymentView.Step("precheck", PENDING, null));
            }
            states.add(new DeploymentView.Step("deploy", PENDING, null));
            if (spec != null && (!spec.verifyCommands().isEmpty() || !spec.verifyServices().isEmpty())) {
                states.add(new DeploymentView.Step("verify", PENDING, null));
            }
            if (spec != null && !"none".equals(spec.failureAction())) {
                states.add(new DeploymentView.Step(recoveryName(spec), PENDING, null));
            }
            if (hooks != null && hooks.after() != null) {
                states.add(new DeploymentView.Step("after", PENDING, null));
            }
        }
    }

    /** The step that runs when deploy or verify failed: {@code rollback} or {@code on_failure} (a custom command). */
    static String recoveryName(StepsSpec spec) {
        return "rollback".equals(spec.failureAction()) ? "rollback" : "on_failure";
    }

    boolean active() {
        return !states.isEmpty();
    }

    /** A step changed state: marker line, then the recorded list. */
    void mark(String name, String state, String detail) {
        if (!active()) {
            return;
        }
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).name().equals(name)) {
                states.set(i, new DeploymentView.Step(name, state, detail));
            }
        }
        log.system("[step] " + name + ": " + state + (detail == null ? "" : " — " + detail));
        record();
    }

    /** At the end of the run: steps that never started are SKIPPED. */
    void close(Execution.Outcome o) {
        if (!active()) {
            return;
        }
        for (DeploymentView.Step s : List.copyOf(states)) {
            if (PENDING.equals(s.state())) {
                mark(s.name(), SKIPPED, o.ok() ? "not needed" : "not run");
            } else if (RUNNING.equals(s.state())) {
                mark(s.name(), o.status().name(), null); // cut short by a lost claim or a shutdown
            }
        }
    }

    private void record() {
        String json = Parameters.write(states);
        try {
            VertxContextSupport.subscribeAndAwait(() -> deps.repository.recordSteps(claim.id(), deps.replica, json));
        } catch (Throwable e) {
            LOG.warnf("Could not record the steps of deployment %d: %s", claim.id(), e.getMessage());
        }
    }

    /** The step change a stored system line announces, or null when it is not a marker. */
    static DeploymentView.Step parse(String text) {
        Matcher m = MARKER.matcher(text);
        return m.matches() ? new DeploymentView.Step(m.group(1), m.group(2), m.group(3)) : null;
    }
}
