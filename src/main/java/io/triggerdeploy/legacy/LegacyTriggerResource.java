package io.triggerdeploy.legacy;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.ApiTokenService;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.deploy.DeployConfig;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.TriggerCommand;
import io.triggerdeploy.security.Role;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The old tool's {@code GET|POST /trigger} with {@code token} and {@code server}: the token is the configured
 * DEPLOY_TOKEN or an operator's API token. The deployment is queued like any other.
 */
@Path("/trigger")
@Produces(MediaType.APPLICATION_JSON)
public class LegacyTriggerResource {

    /** The old tool also read the token from this header, which keeps it out of URLs and access logs. */
    static final String TOKEN_HEADER = "X-Deploy-Token";

    /** What makes a query parameter or body field a deployment parameter: the parameter-name form. */
    static final Pattern PARAMETER = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    private final DeploymentService service;
    private final ApiTokenService apiTokens;
    private final DeployConfig config;
    private final AuditLog audit;

    public LegacyTriggerResource(DeploymentService service, ApiTokenService apiTokens, DeployConfig config, AuditLog audit) {
        this.service = service;
        this.apiTokens = apiTokens;
        this.config = config;
        this.audit = audit;
    }

    /** The old tool's success body. */
    @RegisterForReflection
    public record TriggerResponse(String message, long deploymentId, String server, String logFile, String status,
                                  OffsetDateTime timestamp) {
    }

    /**
     * The old tool's JSON body; upper-case fields ({@code "REF": "v1.4"}) and a {@code parameters} object are values
     * for the server's parameters.
     */
    @RegisterForReflection
    public static final class TriggerBody {
        @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 8192)
        public String token;
        @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 253)
        public String server;
        public Map<String, Object> parameters;
        @com.fasterxml.jackson.annotation.JsonIgnore
        final Map<String, Object> extra = new TreeMap<>();

        public TriggerBody() {
        }

        @com.fasterxml.jackson.annotation.JsonAnySetter
        public void other(String name, Object value) {
            if (PARAMETER.matcher(name).matches()) {
                extra.put(name, value);
            }
        }

        public String token() {
            return token;
        }

        public String server() {
            return server;
        }

        @Override
        public String toString() {
            return "TriggerBody[server=" + server + "]";
        }
    }

    @GET
    @org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements // authenticates itself
    @PermitAll
    @Operation(operationId = "legacyTriggerGet")
    public Uni<RestResponse<TriggerResponse>> get(@QueryParam("token") String token, @QueryParam("server") String server,
                                                  @HeaderParam(TOKEN_HEADER) String headerToken,
                                                  @Context HttpServerRequest http) {
        return trigger(present(headerToken) ? headerToken : token, server, queryParameters(http), http);
    }

    @POST
    @org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements // authenticates itself
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "legacyTrigger")
    public Uni<RestResponse<TriggerResponse>> post(TriggerBody body, @QueryParam("token") String token,
                                                   @QueryParam("server") String server,
                                                   @HeaderParam(TOKEN_HEADER) String headerToken,
                                                   @Context HttpServerRequest http) {
        String chosen = present(headerToken) ? headerToken : body != null && present(body.token()) ? body.token() : token;
        Map<String, Object> values = new TreeMap<>(queryParameters(http));
        if (body != null) {
            values.putAll(body.extra);
            if (body.parameters != null) {
                values.putAll(body.parameters);
            }
        }
        return trigger(chosen, body != null && body.server() != null ? body.server() : server, values, http);
    }

    /** Query parameters named like deployment parameters (upper case), first value each. */
    private static Map<String, Object> queryParameters(HttpServerRequest http) {
        Map<String, Object> out = new TreeMap<>();
        for (String name : http.params().names()) {
            if (PARAMETER.matcher(name).matches()) {
                out.put(name, http.params().get(name));
            }
        }
        return out;
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private Uni<RestResponse<TriggerResponse>> trigger(String token, String server, Map<String, Object> values,
                                                       HttpServerRequest http) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            throw ProblemException.forbidden("A valid token is required");
        }
        if (server == null || server.isBlank()) {
            throw ProblemException.invalid("server", "is required (alias, host or id); there is no default server");
        }
        String ip = ClientAddress.of(http);
        Uni<Acting> who;
        if (config.legacyToken().isPresent() && constantTimeEquals(config.legacyToken().get(), token)) {
            who = Uni.createFrom().item(Acting.deployToken());
        } else if (ApiTokenService.looksLikeApiToken(token)) {
            who = apiTokens.authenticate(token).map(p -> {
                if (p == null || !p.role().atLeast(Role.OPERATOR)) {
                    throw ProblemException.forbidden("Invalid token");
                }
                return Acting.of(p);
            });
        } else {
            who = Uni.createFrom().failure(ProblemException.forbidden("Invalid token"));
        }
        return who.chain(acting -> service.trigger(new TriggerCommand(server, null, acting.username(), acting.userId(), "trigger",
                        "legacy", new Actor(acting.username(), acting.userId(), ip), values, null, acting)))
                .map(d -> RestResponse.ResponseBuilder.<TriggerResponse>create(RestResponse.Status.OK)
                        .entity(new TriggerResponse("Deployment of " + d.server() + " queued", d.id(), d.server(),
                                d.links().get("log"), "started", OffsetDateTime.now(ZoneOffset.UTC)))
                        .build());
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
