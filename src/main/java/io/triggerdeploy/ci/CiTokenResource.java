package io.triggerdeploy.ci;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.TokenIssuer;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;

import java.time.Duration;

/** A CI job's ID token exchanged for a short-lived token (no stored secret in the CI system). */
@Path("/api/auth/ci-token")
@Produces(MediaType.APPLICATION_JSON)
public class CiTokenResource {

    private final CiFederation federation;
    private final TokenIssuer issuer;
    private final AuditLog audit;

    public CiTokenResource(CiFederation federation, TokenIssuer issuer, AuditLog audit) {
        this.federation = federation;
        this.issuer = issuer;
        this.audit = audit;
    }

    @POST
    @PermitAll
    @SecurityRequirements // the CI provider's ID token is the proof
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "exchangeCiToken", summary = "Exchange a CI job's ID token for a short-lived token",
            description = "The ID token of a trusted CI issuer (signature with a key of its key set and an asymmetric algorithm, issuer, "
                    + "audience, expiry) whose claims meet a CI binding gives a token that acts as the binding's team (its deploy and "
                    + "view grants, nothing else) for the binding's lifetime (at most an hour); the audit record names the repository, "
                    + "workflow and run. One ID token is exchanged once.")
    @APIResponse(responseCode = "200", description = "The token, who it acts as and until when",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CiTokenResponse.class)))
    @APIResponse(responseCode = "401", description = "The ID token is not valid here (unknown issuer, signature, audience, expiry, used already)")
    @APIResponse(responseCode = "403", description = "No binding matches the token's claims; nothing was issued")
    public Uni<CiTokenResponse> exchange(@NotNull(message = "a JSON body with token is required") @Valid CiTokenRequest request) {
        // the signing key is checked first: an exchange recorded as done must yield its token
        issuer.requireReady();
        return federation.exchange(request.token(), audit.actor(null)).map(x -> {
            TokenIssuer.IssuedToken t = issuer.forCi(x.identity(), x.binding().id(), x.binding().teamId(),
                    Duration.ofSeconds(x.binding().tokenLifetimeSeconds()));
            return new CiTokenResponse(t.token(), "Bearer", t.expiresAt(), x.identity(), x.binding().name(), x.binding().team());
        });
    }
}
