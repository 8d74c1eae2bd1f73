package io.triggerdeploy.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.ssh.ShellQuote;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The steps of a server's run around its deploy command. Commands follow the deploy command's rules (a program and
 * plain arguments, run in the server's path with the deployment's parameters).
 *
 * @param precheck  commands run before anything changes; the first that fails ends the run FAILED
 * @param verify    checks after the deploy command; a failure counts as a failed deployment
 * @param onFailure what runs when the deploy command or the verification failed
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepsSpec(
        @Schema(description = "Commands run in order before the deploy command; the first that fails ends the run "
                + "FAILED with nothing changed") List<String> precheck,
        Verify verify,
        @Schema(description = "What runs when the deploy step or the verification failed (absent: nothing)") OnFailure onFailure) {

    public static final int MAX_COMMANDS = 10;
    public static final int DEFAULT_WITHIN_SECONDS = 60;
    public static final List<String> ACTIONS = List.of("none", "rollback", "command");

    /**
     * @param commands      commands run in order after the deploy command; each must exit 0
     * @param services      names of watched services that must be UP within {@code withinSeconds} after the deploy
     * @param withinSeconds how long the services may take to come UP (default 60)
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "VerifyStep")
    public record Verify(List<String> commands, List<String> services,
                         @Schema(minimum = "1", maximum = "3600") Integer withinSeconds) {

        public int within() {
            return withinSeconds == null ? DEFAULT_WITHIN_SECONDS : withinSeconds;
        }
    }

    /**
     * @param action  {@code rollback} (the deploy command again with the last successful deployment's values),
     *                {@code command} (run {@code command}) or {@code none}
     * @param command the command for {@code action: command}
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OnFailure(@Schema(enumeration = {"none", "rollback", "command"}) String action, String command) {
    }

    public List<String> precheckCommands() {
        return precheck == null ? List.of() : precheck;
    }

    public List<String> verifyCommands() {
        return verify == null || verify.commands() == null ? List.of() : verify.commands();
    }

    public List<String> verifyServices() {
        return verify == null || verify.services() == null ? List.of() : verify.services();
    }

    public String failureAction() {
        return onFailure == null || onFailure.action() == null ? "none" : onFailure.action();
    }

    /** Whether there is anything besides the deploy command. */
    public boolean isEmpty() {
        return precheckCommands().isEmpty() && verifyCommands().isEmpty() && verifyServices().isEmpty()
                && "none".equals(failureAction());
    }

    /** A short summary for the audit trail and the servers page (no command text): which steps there are. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!precheckCommands().isEmpty()) {
            parts.add("precheck (" + count(precheckCommands().size()) + ")");
        }
        List<String> verify = new ArrayList<>();
        if (!verifyCommands().isEmpty()) {
            verify.add(count(verifyCommands().size()));
        }
        if (!verifyServices().isEmpty()) {
            verify.add(String.join(", ", verifyServices()) + " UP within " + verify().within() + " s");
        }
        if (!verify.isEmpty()) {
            parts.add("verify (" + String.join("; ", verify) + ")");
        }
        if (!"none".equals(failureAction())) {
            parts.add(("rollback".equals(failureAction()) ? "rollback" : "a command") + " on failure");
        }
        return String.join(", ", parts);
    }

    private static String count(int n) {
        return n + (n == 1 ? " command" : " commands");
    }

    /** Checks and normalises steps as an admin wrote them; null when they are empty. A 400 naming the field otherwise. */
    static StepsSpec check(StepsSpec s) {
        if (s == null) {
            return null;
        }
        List<String> pre = commands(s.precheck(), "steps.precheck");
        List<String> vc = commands(s.verify() == null ? null : s.verify().commands(), "steps.verify.commands");
        List<String> services = services(s.verify() == null ? null : s.verify().services());
        Integer within = s.verify() == null ? null : s.verify().withinSeconds();
        if (within != null && (within < 1 || within > 3600)) {
            throw ProblemException.invalid("steps.verify.within_seconds", "must be between 1 and 3600");
        }
        OnFailure of = onFailure(s.onFailure());
        Verify verify = vc.isEmpty() && services.isEmpty() ? null
                : new Verify(vc.isEmpty() ? null : vc, services.isEmpty() ? null : services, services.isEmpty() ? null : within);
        StepsSpec out = new StepsSpec(pre.isEmpty() ? null : pre, verify, "none".equals(of.action()) ? null : of);
        return out.isEmpty() ? null : out;
    }

    private static List<String> commands(List<String> given, String field) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_COMMANDS) {
            throw ProblemException.invalid(field, "at most " + MAX_COMMANDS + " commands");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String problem = ShellQuote.commandProblem(given.get(i));
            if (problem != null) {
                throw ProblemException.invalid(field + "[" + i + "]", problem);
            }
            out.add(given.get(i).strip());
        }
        return out;
    }

    private static List<String> services(List<String> given) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_COMMANDS) {
            throw ProblemException.invalid("steps.verify.services", "at most " + MAX_COMMANDS + " services");
        }
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String name = given.get(i) == null ? "" : given.get(i).strip();
            if (name.isEmpty() || name.length() > 100 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw ProblemException.invalid("steps.verify.services[" + i + "]", "must be the name of a watched service "
                        + "(1-100 printable characters)");
            }
            if (!seen.add(name)) {
                throw ProblemException.invalid("steps.verify.services[" + i + "]", "names '" + name + "' twice");
            }
            out.add(name);
        }
        return out;
    }

    private static OnFailure onFailure(OnFailure given) {
        if (given == null || given.action() == null) {
            if (given != null && given.command() != null) {
                throw ProblemException.invalid("steps.on_failure.action", "must be 'command' when a command is given");
            }
            return new OnFailure("none", null);
        }
        String action = given.action().strip();
        if (!ACTIONS.contains(action)) {
            throw ProblemException.invalid("steps.on_failure.action", "must be one of " + String.join(", ", ACTIONS));
        }
        if ("command".equals(action)) {
            String problem = ShellQuote.commandProblem(given.command());
            if (problem != null) {
                throw ProblemException.invalid("steps.on_failure.command", problem);
            }
            return new OnFailure(action, given.command().strip());
        }
        if (given.command() != null && !given.command().isBlank()) {
            throw ProblemException.invalid("steps.on_failure.command", "is only for action 'command'");
        }
        return new OnFailure(action, null);
    }

    /** The stored steps of a server (null or empty: none). */
    public static StepsSpec read(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        return Parameters.readJson(json, StepsSpec.class);
    }
}
