package io.triggerdeploy.common;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;

/**
 * Runs blocking or CPU-heavy work (bcrypt, key parsing) on a Vert.x worker thread and resumes on the
 * caller's Vert.x context, so that a reactive session opened afterwards is on the right thread. Never call
 * it with a reactive session open across the hop.
 */
public final class Workers {

    /** Threads of the CPU pool: one per core, so that password hashing never crowds out the event loops. */
    static final int CPU_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static volatile WorkerExecutor cpu;
    private static volatile Vertx cpuOwner;

    private Workers() {
    }

    /** Blocking work (I/O, name resolution) on the Vert.x worker pool. */
    public static <T> Uni<T> run(Callable<T> work) {
        return on(work, false);
    }

    /**
     * Pure CPU work (bcrypt) on a pool with one thread per core, taken in arrival order: more threads than cores
     * would only make every check slower and starve the event loops, which serve the same cores.
     */
    public static <T> Uni<T> cpu(Callable<T> work) {
        return on(work, true);
    }

    private static synchronized WorkerExecutor cpuPool(Vertx vertx) {
        if (cpu == null || cpuOwner != vertx) {
            cpu = vertx.createSharedWorkerExecutor("trigger-cpu", CPU_THREADS);
            cpuOwner = vertx;
        }
        return cpu;
    }

    private static <T> Uni<T> on(Callable<T> work, boolean cpuBound) {
        return Uni.createFrom().deferred(() -> {
            Context ctx = Vertx.currentContext();
            if (ctx == null) {
                // not on a Vert.x thread (startup thread, tests): we may simply block here
                return Uni.createFrom().item(() -> {
                    try {
                        return work.call();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            // completion is delivered back on ctx by Vert.x
            return Uni.createFrom().completionStage(() -> (cpuBound ? cpuPool(ctx.owner()).executeBlocking(work, false)
                    : ctx.executeBlocking(work, false)).toCompletionStage());
        });
    }
}
