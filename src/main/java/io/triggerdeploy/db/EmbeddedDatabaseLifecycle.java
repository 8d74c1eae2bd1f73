package io.triggerdeploy.db;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The embedded mode ({@link Main}) inside the application: the one startup line (where the data is, that it serves one
 * replica, how to leave it), and the stop of the embedded PostgreSQL as the last thing the application does when it stops
 * (after the runners recorded their outcomes), within the shutdown the JVM waits for. Dev mode stops and starts the
 * application on every change: there the server lives as long as the JVM.
 */
@ApplicationScoped
public class EmbeddedDatabaseLifecycle {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabaseLifecycle.class);

    void stopped(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            Main.stopEmbedded();
        }
    }

    void started(@Observes StartupEvent event) {
        String dir = System.getProperty(Main.EMBEDDED_PROPERTY);
        if (dir == null) {
            return;
        }
        String user = System.getProperty("trigger.embedded.user", "");
        LOG.infof("Embedded PostgreSQL %s: data in %s (127.0.0.1:%s%s%s); it serves this one replica: set POSTGRES_HOST (or "
                        + "QUARKUS_DATASOURCE_REACTIVE_URL) to use a PostgreSQL server", EmbeddedPostgres.VERSION, dir,
                System.getProperty("trigger.embedded.port"), user.isEmpty() ? "" : ", runs as " + user,
                System.getProperty("trigger.embedded.secrets-key") == null ? "" : "; secrets key made in " + dir + "/secrets.key");
    }
}
