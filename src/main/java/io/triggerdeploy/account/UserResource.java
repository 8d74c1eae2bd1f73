package io.triggerdeploy.account;

import io.triggerdeploy.user.LegacyUserRecord;
import io.triggerdeploy.user.CreateUserRequest;
import io.triggerdeploy.user.ImportResult;
import io.triggerdeploy.user.UserView;
import io.triggerdeploy.user.User;
import io.triggerdeploy.user.PasswordResetRequest;
import io.triggerdeploy.user.UpdateUserRequest;
import io.triggerdeploy.user.UserService;

import io.triggerdeploy.security.Role;

import io.smallrye.mutiny.Uni;
import io.quarkus.security.identity.SecurityIdentity;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
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
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** User management, for admins only. */
@Path("/api/users")
@RolesAllowed(Role.ADMIN_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    private final UserService service;
    private final PasswordHasher hasher;

    private final WebSessions sessions;

    private final AuditLog audit;
    private final SecurityIdentity identity;

    private final io.triggerdeploy.auth.ApiTokenService apiTokens;

    private final io.triggerdeploy.auth.TotpService totp;

    public UserResource(UserService service, PasswordHasher hasher, WebSessions sessions, AuditLog audit, SecurityIdentity identity,
                        io.triggerdeploy.auth.ApiTokenService apiTokens, io.triggerdeploy.auth.TotpService totp) {
        this.totp = totp;
        this.apiTokens = apiTokens;
        this.service = service;
        this.audit = audit;
        this.identity = identity;
        this.sessions = sessions;
        this.hasher = hasher;
    }

    @GET
    public Uni<List<UserView>> list() {
        return service.list();
    }

    @GET
    @Path("{id}")
    public Uni<UserView> get(@PathParam("id") long id) {
        return service.get(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<UserView>> create(@NotNull(message = "a JSON body is required") @Valid CreateUserRequest request) {
        Actor actor = audit.actor(identity);
        return Workers.cpu(() -> hasher.hash(request.password()))
                .chain(hash -> service.create(request, hash))
                .call(u -> audit.record(actor, "user.created", "user", u.username(), "role " + u.role()))
                .map(u -> RestResponse.ResponseBuilder.<UserView>created(URI.create("/api/users/" + u.id())).entity(u).build());
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<UserView> patch(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid UpdateUserRequest request) {
        return update(id, request);
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<UserView> put(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid UpdateUserRequest request) {
        return update(id, request);
    }

    private Uni<UserView> update(long id, UpdateUserRequest request) {
        Actor actor = audit.actor(identity);
        return service.get(id).chain(before -> service.update(id, request)
                .call(u -> audit.record(actor, "user.updated", "user", u.username(),
                        "role " + u.role() + ", " + (u.active() ? "active" : "inactive")))
                // deactivation ends everything the user had: sessions, login tokens (generation) and API tokens, so
                // that a later reactivation brings none of them back
                .call(u -> before.active() && !u.active()
                        ? sessions.deleteForUser(id, null).chain(() -> apiTokens.revokeAllOf(id))
                        .call(n -> audit.record(actor, "user.tokens_revoked", "user", u.username(), n + " API tokens, on deactivation"))
                        : Uni.createFrom().voidItem()));
    }

    /** Removes the user's second factor (a lost phone): they sign in with the password alone until they enrol again. */
    @DELETE
    @Path("{id}/totp")
    public Uni<RestResponse<Void>> resetTotp(@PathParam("id") long id) {
        Actor actor = audit.actor(identity);
        return service.get(id).chain(u -> totp.clear(id).call(had -> audit.record(actor, "user.totp_reset", "user", u.username(),
                had ? "second factor removed by an admin" : "had no second factor")))
                .map(v -> RestResponse.noContent());
    }

    /** Ends every browser session and login token of the user at once. */
    @POST
    @Path("{id}/sign-out-everywhere")
    public Uni<RestResponse<Void>> signOutEverywhere(@PathParam("id") long id) {
        Actor actor = audit.actor(identity);
        return service.get(id).chain(u -> service.bumpTokenGeneration(id)
                        .chain(() -> sessions.deleteForUser(id, null))
                        .call(() -> audit.record(actor, "user.signed_out_everywhere", "user", u.username(), "by an admin")))
                .map(v -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/password")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Void>> resetPassword(@PathParam("id") long id,
                                                 @NotNull(message = "a JSON body is required") @Valid PasswordResetRequest request) {
        // 404 before paying for bcrypt
        Actor actor = audit.actor(identity);
        return service.get(id).invoke(u -> {
                    if (!u.local()) {
                        throw ProblemException.conflict(u.username() + " signs in through " + u.source().toUpperCase(java.util.Locale.ROOT)
                                + "; their password is kept there");
                    }
                }).chain(u -> Workers.cpu(() -> hasher.hash(request.password()))
                        .chain(hash -> service.setPasswordHash(id, hash))
                        // a reset password means the old one may be known: every browser session of that user ends
                        .chain(() -> sessions.deleteForUser(id, null))
                        .chain(() -> Boolean.TRUE.equals(request.revokeApiTokens()) ? apiTokens.revokeAllOf(id) : Uni.createFrom().item(-1))
                        .call(revoked -> audit.record(actor, "user.password_reset", "user", u.username(),
                                revoked >= 0 ? revoked + " API tokens revoked" : null)))
                .map(v -> RestResponse.noContent());
    }

    @DELETE
    @Path("{id}")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        Actor actor = audit.actor(identity);
        return service.get(id).chain(u -> service.delete(id)
                .call(() -> audit.record(actor, "user.deleted", "user", u.username(), null)))
                .map(v -> RestResponse.noContent());
    }

    /** Imports the old tool's users (JSON array of its rows), keeping their password hashes. */
    @POST
    @Path("import")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ImportResult> importLegacy(@NotNull(message = "a JSON array of users is required") List<LegacyUserRecord> records) {
        Actor actor = audit.actor(identity);
        return service.importLegacy(records).call(r -> audit.record(actor, "user.imported", "user", null,
                "created " + r.created().size() + ", skipped " + r.skipped().size()));
    }
}
