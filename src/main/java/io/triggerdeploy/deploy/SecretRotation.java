package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.ServerService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/**
 * {@code POST /api/admin/secrets/reencrypt}: after a key rotation (the new key in {@code TRIGGER_SECRETS_KEY_FILE},
 * the old one in {@code TRIGGER_SECRETS_PREVIOUS_KEY_FILE}), seals every stored secret under the new key, so the old
 * key file can be removed. Safe to repeat and to run on two replicas at once.
 */
@Path("/api/admin/secrets/reencrypt")
@Produces(MediaType.APPLICATION_JSON)
public class SecretRotation {

    private static final int PAGE = 500;

    private final SecretBox box;
    private final ServerService servers;
    private final DeploymentRepository deployments;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    private final io.triggerdeploy.auth.TotpService totp;

    public SecretRotation(SecretBox box, ServerService servers, DeploymentRepository deployments, AuditLog audit,
                          SecurityIdentity identity, io.triggerdeploy.auth.TotpService totp) {
        this.totp = totp;
        this.box = box;
        this.servers = servers;
        this.deployments = deployments;
        this.audit = audit;
        this.identity = identity;
    }

    /** How many sealed values moved to the current key. */
    public record Result(String keyId, int serverVariables, int deploymentParameters, int twoFactorSecrets) {
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<Result> reencrypt() {
        box.requireEnabled("key_file");
        var actor = audit.actor(identity);
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
