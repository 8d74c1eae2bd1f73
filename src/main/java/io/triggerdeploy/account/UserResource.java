package io.triggerdeploy.account;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.CreateUserRequest;
import io.triggerdeploy.user.ImportResult;
import io.triggerdeploy.user.LegacyUserRecord;
import io.triggerdeploy.user.PasswordResetRequest;
import io.triggerdeploy.user.UpdateUserRequest;
import io.triggerdeploy.user.UserService;
import io.triggerdeploy.user.UserView;
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
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** User management, for admins only. */
@Path("/api/users")
@RolesAllowed(Role.ADMIN_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    private final UserService service;
    private final UserAdmin admin;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public UserResource(UserService service, UserAdmin admin, AuditLog audit, SecurityIdentity identity) {
        this.service = service;
        this.admin = admin;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listUsers")
    public Uni<List<UserView>> list() {
        return service.list();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getUser")
    public Uni<UserView> get(@PathParam("id") long id) {
        return service.get(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = UserView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createUser")
    public Uni<RestResponse<UserView>> create(@NotNull(message = "a JSON body is required") @Valid CreateUserRequest request) {
        return admin.create(request, audit.actor(identity))
                .map(u -> RestResponse.ResponseBuilder.<UserView>created(URI.create("/api/users/" + u.id())).entity(u).build());
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateUser")
    public Uni<UserView> patch(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid UpdateUserRequest request) {
        return admin.update(id, request, audit.actor(identity));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceUser")
    public Uni<UserView> put(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid UpdateUserRequest request) {
        return admin.update(id, request, audit.actor(identity));
    }

    /** Removes the user's second factor (a lost phone): they sign in with the password alone until they enrol again. */
    @DELETE
    @Path("{id}/totp")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "resetUserTotp")
    public Uni<RestResponse<Void>> resetTotp(@PathParam("id") long id) {
        return admin.resetTotp(id, audit.actor(identity)).map(v -> RestResponse.noContent());
    }

    /** Ends every browser session and login token of the user at once. */
    @POST
    @Path("{id}/sign-out-everywhere")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "signUserOutEverywhere")
    public Uni<RestResponse<Void>> signOutEverywhere(@PathParam("id") long id) {
        return admin.signOutEverywhere(id, audit.actor(identity)).map(v -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/password")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "resetUserPassword")
    public Uni<RestResponse<Void>> resetPassword(@PathParam("id") long id,
                                                 @NotNull(message = "a JSON body is required") @Valid PasswordResetRequest request) {
        return admin.resetPassword(id, request.password(), Boolean.TRUE.equals(request.revokeApiTokens()), audit.actor(identity))
                .map(v -> RestResponse.noContent());
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteUser")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return admin.delete(id, audit.actor(identity)).map(v -> RestResponse.noContent());
    }

    /** Imports the old tool's users (JSON array of its rows), keeping their password hashes. */
    @POST
    @Path("import")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "importUsers")
    public Uni<ImportResult> importLegacy(@NotNull(message = "a JSON array of users is required") List<LegacyUserRecord> records) {
        return admin.importLegacy(records, audit.actor(identity));
    }
}
