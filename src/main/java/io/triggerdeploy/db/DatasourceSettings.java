package io.triggerdeploy.db;

import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * The datasource settings Quarkus resolved (from {@code POSTGRES_*} or {@code quarkus.datasource.*}), for the few
 * connections the pools do not give: the maintenance connection that creates the database, and each replica's
 * LISTEN connection.
 */
@ApplicationScoped
public class DatasourceSettings {

    private final Optional<String> jdbcUrl;
    private final String reactiveUrl;
    private final Optional<String> username;
    private final Optional<String> password;

    public DatasourceSettings(@ConfigProperty(name = "quarkus.datasource.jdbc.url") Optional<String> jdbcUrl,
                              @ConfigProperty(name = "quarkus.datasource.reactive.url") String reactiveUrl,
                              @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
                              @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.jdbcUrl = jdbcUrl;
        this.reactiveUrl = reactiveUrl;
        this.username = username;
        this.password = password;
    }

    public Optional<String> jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username.orElse(null);
    }

    public String password() {
        return password.orElse(null);
    }

    /** Options for a dedicated connection, named {@code name} in {@code pg_stat_activity} and the client metrics. */
    public PgConnectOptions dedicated(String name) {
        PgConnectOptions options = PgConnectOptions.fromUri(reactiveUrl);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        options.setMetricsName("postgresql|" + name);
        options.addProperty("application_name", "trigger-deploy-" + name);
        return options;
    }
}
