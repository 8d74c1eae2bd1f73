package io.triggerdeploy.db;

/**
 * A piece of startup work that needs the migrated database (signing keys, the admin user, ...).
 * Steps run in {@link #order()} on the bootstrap thread, which may block; use
 * {@code VertxContextSupport.subscribeAndAwait} for reactive calls.
 */
public interface BootstrapStep {

    int order();

    /** Checks that need no database (configuration, files); a failure stops the process. */
    default void preflight() throws Exception {
    }

    void run() throws Throwable;
}
