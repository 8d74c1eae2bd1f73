package io.triggerdeploy.server;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.ssh.ClientKeyLines;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** {@code /api/ssh/client-keys}: the public lines of the client keys the service logs in with, to install on servers. */
@Path("/api/ssh/client-keys")
@Produces(MediaType.APPLICATION_JSON)
public class SshKeysResource {

    private final ClientKeyLines keys;

    public SshKeysResource(ClientKeyLines keys) {
        this.keys = keys;
    }

    /** Each key's {@code authorized_keys} line and fingerprint (or why it cannot be read); never a private part. */
    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "listSshClientKeys")
    public Uni<List<ClientKeyLines.ClientPublicKey>> list() {
        return Workers.run(keys::list);
    }
}
