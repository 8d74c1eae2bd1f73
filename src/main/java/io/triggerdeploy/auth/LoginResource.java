package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ClientAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code POST /api/login}: the old tool's login contract, with username or email. */
@Path("/api/login")
public class LoginResource {

    private final LoginService service;

    public LoginResource(LoginService service) {
        this.service = service;
    }

    @POST
    @org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements // authenticates itself
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "login")
    public Uni<LoginResponse> login(@NotNull(message = "a JSON body with username and password is required") @Valid LoginRequest request,
                                    @Context HttpServerRequest http) {
        String address = ClientAddress.orUnknown(http);
        return service.login(request, address);
    }
}
