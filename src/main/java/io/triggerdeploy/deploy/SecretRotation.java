package io.triggerdeploy.deploy;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code POST /api/admin/secrets/reencrypt}: after a key rotation (the new key in {@code TRIGGER_SECRETS_KEY_FILE},
 * the old one in {@code TRIGGER_SECRETS_PREVIOUS_KEY_FILE}), seals every stored secret under the new key, so the old
 * key file can be removed. Safe to repeat and to run on two replicas at once.
 */
@Path("/api/admin/secrets/reencrypt")
@Produces(MediaType.APPLICATION_JSON)
public class SecretRotation {

    private final SecretResealing resealing;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public SecretRotation(SecretResealing resealing, AuditLog audit, SecurityIdentity identity) {
        this.resealing = resealing;
        this.audit = audit;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "reencryptSecrets")
    public Uni<SecretResealing.Result> reencrypt() {
        return resealing.resealAll(audit.actor(identity));
    }
}
