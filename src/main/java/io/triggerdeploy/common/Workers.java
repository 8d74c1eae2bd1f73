package io.triggerdeploy.common;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.Callable;

/**
 * Runs blocking or CPU-heavy work (bcrypt, key parsing) on a Vert.x worker thread and resumes on the
 * caller's Vert.x context, so that a reactive session opened afterwards is on the right thread. Never call
 * it with a reactive session open across the hop.
 */
public final class Workers {

    private Workers() {
    }

    public static <T> Uni<T> run(Callable<T> work) {
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
            return Uni.createFrom().completionStage(() -> ctx.executeBlocking(work, false).toCompletionStage());
        });
    }
}
