package io.triggerdeploy.account;

import io.triggerdeploy.user.MeView;
import io.triggerdeploy.user.ChangePasswordRequest;
import io.triggerdeploy.user.UserService;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ClientAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Context;
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

    private final io.triggerdeploy.auth.TotpService totp;

    private final io.triggerdeploy.auth.TotpChanges totpChanges;

    public MeResource(SecurityIdentity identity, UserService service, PasswordHasher hasher, WebSessions sessions, AuditLog audit,
                      io.triggerdeploy.auth.TotpService totp, io.triggerdeploy.auth.TotpChanges totpChanges) {
        this.totp = totp;
        this.totpChanges = totpChanges;
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
        TriggerPrincipal p = Callers.signedIn(identity);
        Actor actor = audit.actor(identity);
        return service.passwordHash(p.userId())
                .chain(stored -> Workers.cpu(() -> {
                    if ("!".equals(stored)) {
                        throw ProblemException.conflict("You sign in through your identity provider (OIDC or LDAP); change your password there");
                    }
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
        TriggerPrincipal p = Callers.signedIn(identity);
        Actor actor = audit.actor(identity);
        return service.bumpTokenGeneration(p.userId())
                .chain(() -> sessions.deleteForUser(p.userId(), null))
                .call(() -> audit.record(actor, "user.signed_out_everywhere", "user", p.username(), null))
                .map(v -> RestResponse.noContent());
    }

    /** Whether two-factor sign-in is on for the caller, and how many recovery codes are left. */
    @GET
    @Path("totp")
    public Uni<io.triggerdeploy.auth.TotpService.Status> totpStatus() {
        return totp.status(Callers.databaseUser(identity).userId());
    }

    /**
     * Starts two-factor enrolment: a new secret, answered this once as {@code secret} (base32) and {@code otpauth_uri};
     * it takes effect when {@code POST /api/me/totp/confirm} gets a valid code for it.
     */
    @POST
    @Path("totp")
    public Uni<io.triggerdeploy.auth.TotpService.Enrolment> totpEnrol() {
        TriggerPrincipal p = Callers.signedIn(identity);
        Actor actor = audit.actor(identity);
        return service.get(p.userId()).invoke(u -> {
                    if ("oidc".equals(u.source())) {
                        throw ProblemException.conflict("You sign in through single sign-on; your identity provider asks for your second factor");
                    }
                }).chain(u -> totp.enrol(p.userId(), p.username()))
                .call(() -> audit.record(actor, "user.totp_enrolment_started", "user", p.username(), null));
    }

    /** A 6-digit code (or a recovery code), and for turning it off the password. */
    public record TotpCode(@jakarta.validation.constraints.NotBlank(message = "is required")
                           @jakarta.validation.constraints.Size(max = 64) String code,
                           @jakarta.validation.constraints.Size(max = 1024) String password) {
    }

    /** Turns two-factor sign-in on with a first valid code; answers ten one-time recovery codes, shown this once. */
    @POST
    @Path("totp/confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RecoveryCodes> totpConfirm(@NotNull(message = "a JSON body with code is required") @Valid TotpCode body,
                                          @Context HttpServerRequest http) {
        TriggerPrincipal p = Callers.signedIn(identity);
        Actor actor = audit.actor(identity);
        return totpChanges.confirm(p, ClientAddress.orUnknown(http), body.code())
                .call(() -> audit.record(actor, "user.totp_enabled", "user", p.username(), null))
                .map(RecoveryCodes::new);
    }

    /** The recovery codes, each usable once instead of a code. */
    public record RecoveryCodes(@com.fasterxml.jackson.annotation.JsonProperty("recovery_codes") java.util.List<String> recoveryCodes) {
    }

    /**
     * Turns two-factor sign-in off, proven with the password and a current code (or a recovery code); wrong ones count
     * as failed logins.
     */
    @POST
    @Path("totp/disable")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Void>> totpDisable(@NotNull(message = "a JSON body with code and password is required") @Valid TotpCode body,
                                              @Context HttpServerRequest http) {
        TriggerPrincipal p = Callers.signedIn(identity);
        Actor actor = audit.actor(identity);
        return totpChanges.disable(p, ClientAddress.orUnknown(http), body.code(), body.password())
                .call(() -> audit.record(actor, "user.totp_disabled", "user", p.username(), null)).map(x -> RestResponse.noContent());
    }
}
