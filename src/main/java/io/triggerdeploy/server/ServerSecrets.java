package io.triggerdeploy.server;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/** The servers' sealed secret variables after a key rotation. */
@ApplicationScoped
public class ServerSecrets {

    private final ServerRepository servers;
    private final SecretBox secrets;

    public ServerSecrets(ServerRepository servers, SecretBox secrets) {
        this.servers = servers;
        this.secrets = secrets;
    }

    /**
     * Seals every server's secret variables under the current key (after a key rotation); answers how many values
     * changed. A value no configured key opens is a 409 naming the server and variable, and nothing is changed.
     */
    @WithTransaction
    public Uni<Integer> resealVariables() {
        return servers.list("secretVariables is not null").map(list -> {
            int changed = 0;
            for (Server s : list) {
                Map<String, String> sealed = Parameters.readMap(s.secretVariables);
                for (Map.Entry<String, String> e : sealed.entrySet()) {
                    if (secrets.stale(e.getValue())) {
                        try {
                            e.setValue(secrets.reseal(ServerFields.variableName(e.getKey()), e.getValue()));
                        } catch (SecretBox.SecretUnavailable x) {
                            throw ProblemException.conflict("Server '" + s.alias + "': " + x.getMessage());
                        }
                        changed++;
                    }
                }
                s.secretVariables = Parameters.write(sealed);
            }
            return changed;
        });
    }
}
