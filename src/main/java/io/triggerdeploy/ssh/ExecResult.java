package io.triggerdeploy.ssh;

import org.apache.sshd.client.channel.ChannelExec;

/** How a remote command ended. {@code error} says why in words an operator understands. */
public record ExecResult(Outcome outcome, Integer exitCode, String error) {

    /** Final states of a remote command. */
    public enum Outcome { SUCCEEDED, FAILED, TIMED_OUT, CANCELLED }

    /** How a closed exec channel ended: its exit status, or the signal that killed the command. */
    static ExecResult of(ChannelExec channel) {
        Integer status = channel.getExitStatus();
        if (status == null) {
            String signal = channel.getExitSignal();
            return new ExecResult(Outcome.FAILED, null, signal != null
                    ? "The command was killed by signal " + signal : "The connection closed without an exit status");
        }
        return status == 0 ? new ExecResult(Outcome.SUCCEEDED, 0, null)
                : new ExecResult(Outcome.FAILED, status, "The command exited with status " + status);
    }
}
