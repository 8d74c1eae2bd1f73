package io.triggerdeploy.account;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.SessionIdentityProvider;
import io.triggerdeploy.auth.TotpService;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.ChangePasswordRequest;
import io.triggerdeploy.user.MeView;
import io.triggerdeploy.user.UserService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.Locale;

/** The calling user: who am I, and change my password. */
@Path("/api/me")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

    private final SecurityIdentity identity;
    private final UserService service;
    private final MyAccount account;
    private final AuditLog audit;
    private final TotpService totp;

    public MeResource(SecurityIdentity identity, UserService service, MyAccount account, AuditLog audit, TotpService totp) {
        this.identity = identity;
        this.service = service;
        this.account = account;
        this.audit = audit;
        this.totp = totp;
    }

    private String currentSession() {
        WebSessions.Live live = identity.getAttribute(SessionIdentityProvider.SESSION);
        return live == null ? null : live.idHash();
    }

    @GET
    @Operation(operationId = "getMe")
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
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "changeMyPassword")
    public Uni<RestResponse<Void>> changePassword(@NotNull(message = "a JSON body is required") @Valid ChangePasswordRequest request) {
        TriggerPrincipal p = Callers.signedIn(identity);
        return account.changePassword(p, audit.actor(identity), request.currentPassword(), request.newPassword(), currentSession())
                .map(v -> RestResponse.noContent());
    }

    /**
     * Ends every login token and browser session of the caller, this one included (a lost laptop, a leaked token).
     * API tokens are separate credentials and stay; revoke them under /api/tokens.
     */
    @POST
    @Path("sign-out-everywhere")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "signMeOutEverywhere")
    public Uni<RestResponse<Void>> signOutEverywhere() {
        return account.signOutEverywhere(Callers.signedIn(identity), audit.actor(identity)).map(v -> RestResponse.noContent());
    }

    /** Whether two-factor sign-in is on for the caller, and how many recovery codes are left. */
    @GET
    @Path("totp")
    @Operation(operationId = "getMyTotp")
    public Uni<TotpService.Status> totpStatus() {
        return totp.status(Callers.databaseUser(identity).userId());
    }

    /**
     * Starts two-factor enrolment: a new secret, answered this once as {@code secret} (base32) and {@code otpauth_uri};
     * it takes effect when {@code POST /api/me/totp/confirm} gets a valid code for it.
     */
    @POST
    @Path("totp")
    @Operation(operationId = "enrolMyTotp")
    public Uni<TotpService.Enrolment> totpEnrol() {
        return account.enrolTotp(Callers.signedIn(identity), audit.actor(identity));
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
    @Operation(operationId = "confirmMyTotp")
    public Uni<RecoveryCodes> totpConfirm(@NotNull(message = "a JSON body with code is required") @Valid TotpCode body,
                                          @Context HttpServerRequest http) {
        return account.confirmTotp(Callers.signedIn(identity), audit.actor(identity), ClientAddress.orUnknown(http), body.code())
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
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "disableMyTotp")
    public Uni<RestResponse<Void>> totpDisable(@NotNull(message = "a JSON body with code and password is required") @Valid TotpCode body,
                                              @Context HttpServerRequest http) {
        return account.disableTotp(Callers.signedIn(identity), audit.actor(identity), ClientAddress.orUnknown(http), body.code(),
                body.password()).map(x -> RestResponse.noContent());
    }
}
