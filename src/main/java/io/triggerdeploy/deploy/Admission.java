package io.triggerdeploy.deploy;

import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.environment.Environment;
import io.triggerdeploy.environment.Windows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * How a trigger enters the queue under its server's environment policy: refused inside a freeze or outside the deploy
 * hours (409 saying what holds it and until when) or queued until then; AWAITING_APPROVAL when the environment needs
 * approvals; straight into the queue otherwise. A break-glass trigger (allowed per environment, with a reason) skips
 * approvals, freezes and hours. The queue policy is the environment's when it sets one, else the server's.
 */
record Admission(String status, String environment, Integer approvalsRequired, OffsetDateTime approvalExpiresAt,
                 OffsetDateTime notBefore, String breakGlass, String queuePolicy) {

    /** The server's policy and environment as locked for one trigger. */
    record Gate(String serverAlias, String serverQueuePolicy, String environmentName, Environment environment) {
    }

    static Admission decide(Gate g, String breakGlassReason, Instant now) {
        Environment env = g.environment();
        String envName = env != null ? env.name() : g.environmentName();
        String policy = env != null && env.queuePolicy() != null ? env.queuePolicy() : g.serverQueuePolicy();
        if (breakGlassReason != null) {
            String reason = breakGlassReason.strip();
            if (reason.isEmpty() || reason.length() > 500 || reason.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw ProblemException.invalid("break_glass", "needs a reason of 1-500 printable characters");
            }
            if (env == null || !env.breakGlass()) {
                throw ProblemException.forbidden(envName == null
                        ? "Server '" + g.serverAlias() + "' is in no environment, and only an environment can allow break glass"
                        : "Environment '" + envName + "' does not allow break glass");
            }
            return new Admission("QUEUED", envName, null, null, null, reason, policy);
        }
        if (env == null) {
            return new Admission("QUEUED", envName, null, null, null, null, policy);
        }
        OffsetDateTime notBefore = null;
        Optional<Windows.Block> block = env.blockAt(now);
        if (block.isPresent()) {
            Windows.Block b = block.get();
            Instant clear = env.queuesThroughFreeze() ? env.clearAt(now) : null;
            if (clear == null) {
                throw ProblemException.conflict("Environment '" + env.name() + "' does not take deployments now: "
                        + b.describe(env.zone()) + (env.queuesThroughFreeze() ? "" : "; try again then"
                        + (env.breakGlass() ? ", or break glass with a reason" : "")))
                        .with("held", held(b, env));
            }
            notBefore = clear.atOffset(ZoneOffset.UTC);
        }
        if (env.requiredApprovals() > 0) {
            return new Admission("AWAITING_APPROVAL", env.name(), env.requiredApprovals(),
                    now.plusSeconds(60L * env.approvalTimeoutMinutes()).atOffset(ZoneOffset.UTC), notBefore, null, policy);
        }
        return new Admission("QUEUED", env.name(), null, null, notBefore, null, policy);
    }

    /**
     * A host of a rollout: the rollout took the environment's approvals once and checks its freezes and hours before
     * every wave, so the host is queued now under the queue policy that applies to its server.
     */
    static Admission forRolloutHost(Gate g) {
        Environment env = g.environment();
        String policy = env != null && env.queuePolicy() != null ? env.queuePolicy() : g.serverQueuePolicy();
        return new Admission("QUEUED", env != null ? env.name() : g.environmentName(), null, null, null, null, policy);
    }

    private static Map<String, String> held(Windows.Block b, Environment env) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put("environment", env.name());
        out.put("kind", b.kind());
        if (b.reason() != null) {
            out.put("reason", b.reason());
        }
        out.put("until", b.until().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).atZone(env.zone()).toOffsetDateTime().toString());
        return out;
    }

    /** What the audit trail adds for this admission. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        if (breakGlass != null) {
            sb.append("; BREAK GLASS: ").append(breakGlass);
        }
        if (approvalsRequired != null) {
            sb.append("; awaiting ").append(approvalsRequired).append(approvalsRequired == 1 ? " approval" : " approvals")
                    .append(" until ").append(approvalExpiresAt);
        }
        if (notBefore != null) {
            sb.append("; held until ").append(notBefore).append(" (freeze or deploy hours)");
        }
        return sb.toString();
    }
}
