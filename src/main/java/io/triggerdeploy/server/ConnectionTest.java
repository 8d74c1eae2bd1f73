package io.triggerdeploy.server;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.ssh.Cancellation;
import io.triggerdeploy.ssh.ExecResult;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.SshFailure;
import io.triggerdeploy.ssh.SshService;
import io.triggerdeploy.ssh.SshTarget;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * "Test connection": the steps a deployment takes before its script, one after the other, each named with what it
 * found: {@code connect} (TCP, and the host's key), {@code host_key} (against the pin), {@code login} (the client key)
 * and {@code command} ({@code true} runs and exits 0). The first that fails ends the test and names the fix; what it
 * found is stored as the server's reachability at once (the badge no longer waits for the next round of checks).
 */
@ApplicationScoped
public class ConnectionTest {

    private final ServerService servers;
    private final ServerReachability reachability;
    private final SshService ssh;

    public ConnectionTest(ServerService servers, ServerReachability reachability, SshService ssh) {
        this.servers = servers;
        this.reachability = reachability;
        this.ssh = ssh;
    }

    /** One step of the test and what it found. */
    @Schema(name = "ConnectionTestStep")
    public record Step(String step, boolean ok, String detail) {
    }

    /** The whole test: {@code ok} when every step passed, else the step that failed. */
    @Schema(name = "ConnectionTestResult")
    public record Result(String server, boolean ok, @Schema(nullable = true) String failedStep, List<Step> steps) {
    }

    public Uni<Result> test(long id) {
        return servers.get(String.valueOf(id)).chain(s -> servers.jumpTarget(s.jumpHostId()).chain(jump -> Workers.run(() -> run(s, jump)))
                .call(r -> reachability.record(s.id(), r.ok() ? "REACHABLE" : status(r.failedStep()),
                        r.ok() ? null : r.steps().get(r.steps().size() - 1).detail())));
    }

    private static String status(String failedStep) {
        return switch (failedStep) {
            case "host_key" -> "HOST_KEY_MISMATCH";
            case "login", "command" -> "LOGIN_FAILED";
            default -> "UNREACHABLE";
        };
    }

    private Result run(ServerView s, SshTarget jump) {
        List<Step> steps = new ArrayList<>();
        HostKeys.HostKey presented;
        try {
            presented = ssh.scanHostKey(s.host(), s.port(), jump);
            steps.add(new Step("connect", true, s.host() + ":" + s.port() + (jump == null ? "" : " through " + jump.host())
                    + " answers and presents " + presented.fingerprint()));
        } catch (SshFailure f) {
            return end(s, steps, new Step("connect", false, f.getMessage()));
        }
        if (s.hostKeyFingerprint() == null) {
            return end(s, steps, new Step("host_key", false, "No host key is pinned: scan the host key and confirm "
                    + presented.fingerprint() + " if it is the server's"));
        }
        if (!presented.fingerprint().equals(s.hostKeyFingerprint())) {
            return end(s, steps, new Step("host_key", false, "Presents " + presented.fingerprint() + ", pinned " + s.hostKeyFingerprint()
                    + ": if the server's key really changed, scan and confirm the new one"));
        }
        steps.add(new Step("host_key", true, "Matches the pin " + s.hostKeyFingerprint()));
        SshTarget target = new SshTarget(s.host(), s.port(), s.user(), s.hostKey(), s.privateKeyRef(), jump);
        try {
            ssh.verifyLogin(target);
            steps.add(new Step("login", true, "Logged in as " + s.user() + " with the client key"));
        } catch (SshFailure f) {
            return end(s, steps, new Step("login", false, f.getMessage() + " (install the client key's public line in ~"
                    + s.user() + "/.ssh/authorized_keys: Servers → SSH client key)"));
        }
        try {
            ExecResult r = ssh.exec(target, "true", (stream, text) -> { }, Duration.ofSeconds(15), new Cancellation());
            if (r.outcome() != ExecResult.Outcome.SUCCEEDED) {
                return end(s, steps, new Step("command", false, "`true` ended " + r.outcome()
                        + (r.exitCode() == null ? "" : " with exit code " + r.exitCode()) + (r.error() == null ? "" : ": " + r.error())));
            }
            steps.add(new Step("command", true, "`true` ran and exited 0"));
        } catch (SshFailure f) {
            return end(s, steps, new Step("command", false, f.getMessage()));
        }
        return new Result(s.alias(), true, null, steps);
    }

    private static Result end(ServerView s, List<Step> steps, Step failed) {
        steps.add(failed);
        return new Result(s.alias(), false, failed.step(), steps);
    }
}
