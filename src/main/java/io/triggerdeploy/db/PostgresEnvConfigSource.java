package io.triggerdeploy.db;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the legacy tool's {@code POSTGRES_HOST/PORT/DB/USER/PASSWORD} variables working in every profile.
 * When any of them is set it supplies the datasource URLs and credentials; its ordinal sits above
 * application.properties (250) and below environment variables (300), so {@code QUARKUS_DATASOURCE_*}
 * still win. When none is set it supplies nothing, so dev mode and tests fall back to Dev Services.
 */
public class PostgresEnvConfigSource implements ConfigSource {

    private final Map<String, String> values;

    public PostgresEnvConfigSource() {
        this(System.getenv());
    }

    PostgresEnvConfigSource(Map<String, String> env) {
        Map<String, String> v = new HashMap<>();
        boolean any = env.keySet().stream().anyMatch(k -> k.startsWith("POSTGRES_"));
        if (any) {
            String host = env.getOrDefault("POSTGRES_HOST", "localhost");
            String port = env.getOrDefault("POSTGRES_PORT", "5432");
            String db = env.getOrDefault("POSTGRES_DB", "trigger_deploy");
            v.put("quarkus.datasource.reactive.url", "postgresql://" + host + ":" + port + "/" + db);
            v.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + host + ":" + port + "/" + db);
            v.put("quarkus.datasource.username", env.getOrDefault("POSTGRES_USER", "postgres"));
            if (env.containsKey("POSTGRES_PASSWORD")) {
                v.put("quarkus.datasource.password", env.get("POSTGRES_PASSWORD"));
            }
        }
        values = Map.copyOf(v);
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String name) {
        return values.get(name);
    }

    @Override
    public int getOrdinal() {
        return 260;
    }

    @Override
    public String getName() {
        return "POSTGRES_* environment variables";
    }
}
