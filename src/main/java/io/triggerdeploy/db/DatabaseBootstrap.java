package io.triggerdeploy.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * Startup, robust by construction: the HTTP server is already serving liveness while this runs on its own
 * thread. It waits for PostgreSQL with bounded exponential backoff, migrates under an advisory lock, runs the
 * bootstrap steps (keys, admin), checks the reactive pool with a real query, and only then reports ready.
 * If the database never comes within {@code trigger.db.startup-timeout}, the process exits non-zero.
 */
@ApplicationScoped
public class DatabaseBootstrap {

    private static final Logger LOG = Logger.getLogger(DatabaseBootstrap.class);

    private final DatabaseState state;
    private final SchemaMigrator migrator;
    private final DataSource dataSource;
    private final DatabaseProbeRepository probe;
    private final DbConfig config;
    private final List<BootstrapStep> steps;
    private final DatasourceSettings datasource;
    private volatile Thread thread;

    @Inject
    public DatabaseBootstrap(DatabaseState state, SchemaMigrator migrator, DataSource dataSource, DatabaseProbeRepository probe,
                             DbConfig config, @Any Instance<BootstrapStep> steps, DatasourceSettings datasource) {
        this(state, migrator, dataSource, probe, config, steps.stream().toList(), datasource);
    }

    /** The same startup path over parts of one's choosing (a test runs it over many databases in one JVM). */
    DatabaseBootstrap(DatabaseState state, SchemaMigrator migrator, DataSource dataSource, DatabaseProbeRepository probe,
                      DbConfig config, List<BootstrapStep> steps, DatasourceSettings datasource) {
        this.state = state;
        this.migrator = migrator;
        this.dataSource = dataSource;
        this.probe = probe;
        this.config = config;
        this.steps = steps.stream().sorted(Comparator.comparingInt(BootstrapStep::order)).toList();
        this.datasource = datasource;
    }

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(this::bootstrap, "trigger-db-bootstrap");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    void bootstrap() {
        long start = System.nanoTime();
        try {
            for (BootstrapStep step : steps) {
                step.preflight();
            }
            waitForDatabase();
            state.set(DatabaseState.Phase.PREPARING, "migrating the schema");
            migrator.migrate();
            state.set(DatabaseState.Phase.PREPARING, "preparing keys and users");
            for (BootstrapStep step : steps) {
                step.run();
            }
            closeIdleJdbcConnections();
            VertxContextSupport.subscribeAndAwait(probe::ping);
            state.set(DatabaseState.Phase.READY, "ready");
            LOG.infof("Database ready after %d ms", (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (StartupFailure e) {
            fail(e.getMessage());
        } catch (Throwable e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // shutting down
            }
            fail("Startup failed: " + summary(e));
        }
    }

    /**
     * The JDBC pool serves the migration only: its connections are closed once it is done, so that a replica holds no
     * more than its reactive pool and its LISTEN connection (the budget in application.properties).
     */
    private void closeIdleJdbcConnections() {
        if (dataSource instanceof AgroalDataSource agroal) {
            agroal.flush(AgroalDataSource.FlushMode.IDLE);
        }
    }

    private void fail(String message) {
        state.set(DatabaseState.Phase.FAILED, message);
        LOG.error(message);
        if (LaunchMode.current() != LaunchMode.TEST) {
            Quarkus.asyncExit(1);
        }
    }

    private void waitForDatabase() throws InterruptedException {
        Duration timeout = config.startupTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        long delay = 250;
        int attempt = 0;
        long lastWarn = 0;
        while (true) {
            attempt++;
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("SELECT 1");
                if (attempt > 1) {
                    LOG.infof("PostgreSQL answered after %d attempts", attempt);
                }
                return;
            } catch (SQLException e) {
                if (isMissingDatabase(e) && createDatabase()) {
                    continue;
                }
                long now = System.nanoTime();
                if (now >= deadline) {
                    throw new StartupFailure("PostgreSQL not reachable within trigger.db.startup-timeout ("
                            + timeout.toSeconds() + " s): " + summary(e));
                }
                if (lastWarn == 0 || now - lastWarn > Duration.ofSeconds(10).toNanos()) {
                    LOG.warnf("Waiting for PostgreSQL (attempt %d): %s", attempt, summary(e));
                    lastWarn = now;
                }
                state.set(DatabaseState.Phase.WAITING_FOR_DATABASE, "waiting for the database: " + summary(e));
                long sleep = Math.min(delay, Math.max(1, (deadline - now) / 1_000_000));
                Thread.sleep(sleep);
                delay = Math.min(delay * 2, config.maxRetryInterval().toMillis());
            }
        }
    }

    private static boolean isMissingDatabase(SQLException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException s && "3D000".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A fresh machine: the server is up but our database is not there yet; create it if we may. */
    private boolean createDatabase() {
        String url = datasource.jdbcUrl().orElse(null);
        if (url == null) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(jdbc:postgresql://[^/]+/)([A-Za-z0-9_]+)(\\?.*)?$").matcher(url);
        if (!m.matches()) {
            return false;
        }
        String name = m.group(2);
        String maintenance = m.group(1) + "postgres" + (m.group(3) == null ? "" : m.group(3));
        try (Connection c = java.sql.DriverManager.getConnection(maintenance, datasource.username(), datasource.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
            LOG.infof("Created database %s", name);
            return true;
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return true; // another replica created it a moment ago
            }
            LOG.warnf("Database %s does not exist and cannot be created: %s", name, summary(e));
            return false;
        }
    }

    static String summary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return msg.replaceAll("\\s+", " ").trim();
    }
}
