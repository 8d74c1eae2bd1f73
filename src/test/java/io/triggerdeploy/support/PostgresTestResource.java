package io.triggerdeploy.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Gives the @QuarkusTest application a fresh database of its own, dropped afterwards. */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile String database;

    public static String database() {
        return database;
    }

    @Override
    public Map<String, String> start() {
        // the PostgreSQL given by POSTGRES_HOST/PORT/USER/PASSWORD (default 127.0.0.1:5432, user postgres)
        database = TestDatabases.create("td_test");
        String hostPort = TestDatabases.host() + ":" + TestDatabases.port() + "/" + database;
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://" + hostPort,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPort,
                "quarkus.datasource.username", TestDatabases.user(),
                "quarkus.datasource.password", TestDatabases.password());
    }

    @Override
    public void stop() {
        if (database != null) {
            TestDatabases.drop(database);
        }
    }
}
