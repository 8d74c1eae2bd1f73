package io.triggerdeploy.account;

import io.triggerdeploy.user.MeView;
import io.triggerdeploy.user.ChangePasswordRequest;
import io.triggerdeploy.user.UserService;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.auth.SessionIdentityProvider;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.Locale;

/** The calling user: who am I, and change my password. */
@Path("/api/me")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

    private final SecurityIdentity identity;
    private final UserService service;
    private final PasswordHasher hasher;

    private final WebSessions sessions;

    private final AuditLog audit;

    public MeResource(SecurityIdentity identity, UserService service, PasswordHasher hasher, WebSessions sessions, AuditLog audit) {
        this.identity = identity;
        this.audit = audit;
        this.sessions = sessions;
        this.service = service;
        this.hasher = hasher;
    }

    private String currentSession() {
        WebSessions.Live live = identity.getAttribute(SessionIdentityProvider.SESSION);
        return live == null ? null : live.idHash();
    }

    @GET
    public Uni<MeView> me() {
        TriggerPrincipal p = Callers.of(identity);
        String authType = p.authType().name().toLowerCase(Locale.ROOT);
        if (p.userId() == null) {
            return Uni.createFrom().item(new MeView(null, p.username(), null, p.role().id(), true, authType, null));
        }
        return service.live(p.userId()).map(u -> {
            if (u == null) {
                throw ProblemException.unauthorized("This user no longer exists");
            }
            // the effective role (an API token may carry less than its owner)
            return new MeView(u.id(), u.username(), u.email(), p.role().id(), u.active(), authType, u.lastLoginAt());
        });
    }

    @PUT
    @Path("password")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Void>> changePassword(@NotNull(message = "a JSON body is required") @Valid ChangePasswordRequest request) {
        TriggerPrincipal p = Callers.databaseUser(identity);
        Actor actor = audit.actor(identity);
        return service.passwordHash(p.userId())
                .chain(stored -> Workers.cpu(() -> {
                    if (!hasher.check(request.currentPassword(), stored).matches()) {
                        throw new ProblemException(403, "Forbidden", "The current password is not correct");
                    }
                    return hasher.hash(request.newPassword());
                }))
                .chain(hash -> service.setPasswordHash(p.userId(), hash))
                // other browser sessions end; the one that made the change stays
                .chain(() -> sessions.deleteForUser(p.userId(), currentSession()))
                .call(() -> audit.record(actor, "user.password_changed", "user", p.username(), null))
                .map(v -> RestResponse.noContent());
    }

    /**
     * Ends every login token and browser session of the caller, this one included (a lost laptop, a leaked token).
     * API tokens are separate credentials and stay; revoke them under /api/tokens.
     */
    @POST
    @Path("sign-out-everywhere")
    public Uni<RestResponse<Void>> signOutEverywhere() {
        TriggerPrincipal p = Callers.databaseUser(identity);
        Actor actor = audit.actor(identity);
        return service.bumpTokenGeneration(p.userId())
                .chain(() -> sessions.deleteForUser(p.userId(), null))
                .call(() -> audit.record(actor, "user.signed_out_everywhere", "user", p.username(), null))
                .map(v -> RestResponse.noContent());
    }
}
