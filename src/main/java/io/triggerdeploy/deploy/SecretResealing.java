package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.TotpService;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.ServerSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/**
 * Seals every stored secret under the current key after a rotation: servers' secret variables, deployments' sealed
 * parameters (a page at a time, each row compared and set, so two replicas at once change each value once) and
 * two-factor secrets. A value no configured key opens is a 409 naming it.
 */
@ApplicationScoped
public class SecretResealing {

    private static final int PAGE = 500;

    private final SecretBox box;
    private final ServerSecrets servers;
    private final DeploymentRepository deployments;
    private final TotpService totp;
    private final AuditLog audit;

    public SecretResealing(SecretBox box, ServerSecrets servers, DeploymentRepository deployments, TotpService totp, AuditLog audit) {
        this.box = box;
        this.servers = servers;
        this.deployments = deployments;
        this.totp = totp;
        this.audit = audit;
    }

    /** How many sealed values moved to the current key. */
    @Schema(name = "ReencryptResult")
    public record Result(String keyId, int serverVariables, int deploymentParameters, int twoFactorSecrets) {
    }

    public Uni<Result> resealAll(Actor actor) {
        box.requireEnabled("key_file");
        return servers.resealVariables()
                .chain(vars -> deploymentsFrom(0L, 0).chain(params -> totp.resealAll()
                        .map(secrets -> new Result(box.currentKeyId(), vars, params, secrets))))
                .call(r -> audit.record(actor, "secrets.reencrypted", "secrets", r.keyId(),
                        r.serverVariables() + " server variable(s) and " + r.deploymentParameters()
                                + " deployment parameter(s) and " + r.twoFactorSecrets() + " two-factor secret(s) re-sealed"));
    }

    private Uni<Integer> deploymentsFrom(long afterId, int done) {
        return deployments.sealedAfter(afterId, PAGE).chain(rows -> {
            Uni<Integer> chain = Uni.createFrom().item(done);
            for (Map.Entry<Long, String> row : rows) {
                chain = chain.chain(n -> resealOne(row.getKey(), row.getValue()).map(changed -> n + changed));
            }
            if (rows.size() < PAGE) {
                return chain;
            }
            long last = rows.get(rows.size() - 1).getKey();
            return chain.chain(n -> deploymentsFrom(last, n));
        });
    }

    private Uni<Integer> resealOne(long id, String json) {
        Map<String, String> sealed = Parameters.readMap(json);
        int changed = 0;
        for (Map.Entry<String, String> e : sealed.entrySet()) {
            if (box.stale(e.getValue())) {
                try {
                    e.setValue(box.reseal(DeploymentService.sealedName(e.getKey()), e.getValue()));
                } catch (SecretBox.SecretUnavailable x) {
                    throw ProblemException.conflict("Deployment #" + id + ": " + x.getMessage());
                }
                changed++;
            }
        }
        if (changed == 0) {
            return Uni.createFrom().item(0);
        }
        int n = changed;
        return deployments.reseal(id, json, Parameters.write(sealed)).map(ok -> ok ? n : 0);
    }
}
