package io.triggerdeploy.rollout;

import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * A rollout as a caller asks for it. {@code batch}, {@code canary}, {@code waves} and {@code max_failures} take a number
 * or a percentage ("25%"), so they are read loosely here and checked by {@link RolloutPlan}, which names the field it
 * refuses. The API document describes the body by hand ({@code RolloutRequest} in {@code META-INF/openapi.yaml}).
 */
@Schema(hidden = true)
public record RolloutRequest(Target target, String strategy, Object batch, Integer maxInFlight, Object canary, List<Object> waves,
                             Object maxFailures, String onBreach, Integer soakSeconds, @Size(max = 200) String errorPattern,
                             Integer maxErrorLines, Boolean promote, Integer promoteTimeout, Boolean resumeAfterFreeze,
                             Boolean retryInterrupted, @Size(max = 255) String ref, @Size(max = 60) Map<String, Object> parameters,
                             @Size(max = 500) String note, Hook before, Hook after) {

    /** A command run for each host before its deployment or after it succeeded, on the host or on the server {@code on}. */
    public record Hook(String command, @Size(max = 253) String on) {
    }

    /** A group, an environment or a label selector; given together, each narrows the others. */
    public record Target(@Size(max = 64) String group, @Size(max = 64) String environment, @Size(max = 500) String selector) {
    }

    /** Parameter values may be secrets: never printed. */
    @Override
    public String toString() {
        return "RolloutRequest[target=" + target + ", strategy=" + strategy + ", ref=" + ref + ", parameters="
                + (parameters == null ? null : parameters.keySet()) + "]";
    }
}
