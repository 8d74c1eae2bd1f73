package io.triggerdeploy.ssh;

/** How a remote command ended. {@code error} says why in words an operator understands. */
public record ExecResult(Outcome outcome, Integer exitCode, String error) {

    /** Final states of a remote command. */
    public enum Outcome { SUCCEEDED, FAILED, TIMED_OUT, CANCELLED }
}
