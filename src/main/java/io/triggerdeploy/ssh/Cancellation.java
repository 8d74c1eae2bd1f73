package io.triggerdeploy.ssh;

/** Lets another thread cancel a running remote command; cancelling before it starts prevents the start. */
public final class Cancellation {

    private volatile boolean cancelled;
    private volatile Runnable action;

    public void cancel() {
        cancelled = true;
        Runnable a = action;
        if (a != null) {
            a.run();
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    void onCancel(Runnable a) {
        action = a;
        if (cancelled) {
            a.run();
        }
    }
}
