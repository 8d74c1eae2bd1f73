package io.triggerdeploy.server;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.SshFailure;
import io.triggerdeploy.ssh.SshService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** Registered servers: everyone signed in reads, admins write and pin host keys. */
@Path("/api/servers")
@Produces(MediaType.APPLICATION_JSON)
public class ServerResource {

    private final ServerService service;
    private final SshService ssh;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    private final ServerImport imports;
    private final AccessService access;
    private final ConnectionTest connections;

    public ServerResource(ServerService service, SshService ssh, AuditLog audit, SecurityIdentity identity, ServerImport imports,
                          AccessService access, ConnectionTest connections) {
        this.service = service;
        this.ssh = ssh;
        this.audit = audit;
        this.identity = identity;
        this.imports = imports;
        this.access = access;
        this.connections = connections;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listServers")
    public Uni<List<ServerView>> list(@QueryParam("selector") @Parameter(description = "Only the servers whose labels match, e.g. "
            + "role=web,region!=us or tier in (a,b); the same selector a rollout takes",
            schema = @Schema(type = SchemaType.STRING, maxLength = 500)) String selector) {
        LabelSelector only = selector == null ? null : LabelSelector.parse(selector, "selector");
        return access.of(identity).chain(a -> service.list().map(l -> l.stream().filter(s -> a.sees(s.id()))
                .filter(s -> only == null || only.matches(s.labels())).toList()));
    }

    /** By id, alias or host (one path template with the writes, which take the id). */
    @GET
    @Path("{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getServer")
    public Uni<ServerView> get(@PathParam("id")
                               @Parameter(description = "The server's id, alias or host")
                               String ref) {
        return access.of(identity).chain(a -> service.get(ref).invoke(s ->
                AccessService.requireVisible(a, s.id(), "server '" + ref + "' (looked up by id, alias and host)")));
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ServerView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createServer")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "CreateServerRequest")))
    public Uni<RestResponse<ServerView>> create(@NotNull(message = "a JSON body is required") @Valid ServerRequest request) {
        return service.create(request, audit.actor(identity))
                .map(v -> RestResponse.ResponseBuilder.<ServerView>created(URI.create("/api/servers/" + v.id())).entity(v).build());
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateServer")
    public Uni<ServerView> patch(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid ServerRequest request) {
        return service.update(id, request, audit.actor(identity));
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceServer")
    public Uni<ServerView> put(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid ServerRequest request) {
        return service.update(id, request, audit.actor(identity));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteServer")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return service.delete(id, audit.actor(identity)).map(v -> RestResponse.noContent());
    }

    /** Fetches the key the host presents and shows its fingerprint; pins nothing. */
    @POST
    @Path("{id}/host-key/scan")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "scanServerHostKey")
    @APIResponseSchema(value = HostKeyScanView.class, responseCode = "200", responseDescription = "The key the server offered, to confirm")
    @APIResponse(responseCode = "502", description = "The server could not be reached or offered no key; `detail` says why")
    public Uni<HostKeyScanView> scan(@PathParam("id") long id) {
        return service.get(String.valueOf(id)).chain(s -> scanOnWorker(s).map(key ->
                new HostKeyScanView(key.line(), key.fingerprint(), s.hostKeyFingerprint(),
                        key.fingerprint().equals(s.hostKeyFingerprint()))));
    }

    /**
     * Tests the connection now as a deployment makes it: connect, host key against the pin, login with the client key,
     * {@code true}; the answer names each step and the one that failed (200 either way: the test ran), and the
     * server's reachability shows it at once.
     */
    @POST
    @Path("{id}/test-connection")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "testServerConnection")
    public Uni<ConnectionTest.Result> testConnection(@PathParam("id") long id) {
        return connections.test(id);
    }

    /** Pins a host key given as a line, or the fingerprint an admin confirmed from a scan (re-checked now). */
    @PUT
    @Path("{id}/host-key")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "pinServerHostKey")
    public Uni<ServerView> pin(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid PinHostKeyRequest request) {
        Actor actor = audit.actor(identity);
        return confirmedKey(id, request).chain(key -> service.pin(id, key, actor));
    }

    /** The key given as a line, or the key the host presents now if it is the fingerprint an admin confirmed. */
    private Uni<HostKeys.HostKey> confirmedKey(long id, PinHostKeyRequest request) {
        if (request.hostKey() != null && !request.hostKey().isBlank()) {
            HostKeys.HostKey key;
            try {
                key = HostKeys.parse(request.hostKey());
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid("host_key", e.getMessage());
            }
            return Uni.createFrom().item(key);
        }
        if (request.fingerprint() == null || request.fingerprint().isBlank()) {
            throw ProblemException.invalid("host_key", "give host_key (a public key line) or fingerprint (from a scan)");
        }
        return service.get(String.valueOf(id)).chain(this::scanOnWorker).map(key -> {
            if (!key.fingerprint().equals(request.fingerprint().trim())) {
                throw new ProblemException(409, "Conflict", "The host now presents " + key.fingerprint()
                        + ", not the confirmed " + request.fingerprint().trim() + "; nothing was pinned");
            }
            return key;
        });
    }

    /** Imports the old tool's servers.json (a JSON array). Host keys must be pinned afterwards. */
    @POST
    @Path("import")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "importServers")
    public Uni<ServerImportResult> importLegacy(@NotNull(message = "a JSON array of servers is required") List<LegacyServerRecord> records) {
        return imports.importLegacy(records, audit.actor(identity));
    }

    /** The key the server presents now, reached through its jump host when it has one. */
    private Uni<HostKeys.HostKey> scanOnWorker(ServerView s) {
        return service.jumpTarget(s.jumpHostId()).chain(jump -> Workers.run(() -> {
            try {
                return ssh.scanHostKey(s.host(), s.port(), jump);
            } catch (SshFailure f) {
                throw new ProblemException(502, "Bad Gateway", f.getMessage());
            }
        }));
    }
}
