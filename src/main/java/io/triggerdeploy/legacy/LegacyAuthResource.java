package io.triggerdeploy.legacy;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.auth.BearerIdentityProvider;
import io.triggerdeploy.auth.LoginRequest;
import io.triggerdeploy.auth.LoginResponse;
import io.triggerdeploy.auth.LoginService;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.ProblemMapper;
import io.triggerdeploy.legacy.LegacyAuthBodies.LegacyUser;
import io.triggerdeploy.legacy.LegacyAuthBodies.LoggedOut;
import io.triggerdeploy.legacy.LegacyAuthBodies.LoginForm;
import io.triggerdeploy.legacy.LegacyAuthBodies.Status;
import io.triggerdeploy.legacy.LegacyAuthBodies.TokenBody;
import io.triggerdeploy.legacy.LegacyAuthBodies.Verified;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Flask tool's login, token-check, status and logout routes, on top of the same login service as
 * {@code POST /api/login}: the same throttling, the same single 401 for every bad credential, the same audit.
 * Failures are problem details with the old {@code success: false} (and {@code error}) beside them.
 * There is no master password.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Legacy routes", description = "The old tool's auth contract, kept for its clients")
public class LegacyAuthResource {

    private final LoginService logins;
    private final BearerIdentityProvider bearer;
    private final WebSessions sessions;
    private final CurrentIdentityAssociation identities;
    private final UserService users;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public LegacyAuthResource(LoginService logins, BearerIdentityProvider bearer, WebSessions sessions,
                              CurrentIdentityAssociation identities, UserService users,
                              com.fasterxml.jackson.databind.ObjectMapper json) {
        this.logins = logins;
        this.bearer = bearer;
        this.sessions = sessions;
        this.identities = identities;
        this.users = users;
        this.json = json;
    }

    @POST
    @Path("api/auth/login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirements
    @Operation(operationId = "legacyApiAuthLogin", summary = "Log in (the old tool's login page endpoint)",
            description = "Same as POST /api/login, with success, message and redirect. 401 success:false for any bad credential; 429 when throttled.")
    @APIResponse(responseCode = "200", description = "Signed in: the token and who it is for",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LoginResponse.class)))
    public Uni<Response> apiAuthLogin(LoginRequest body, @Context HttpServerRequest http, @Context UriInfo uri) {
        return jsonLogin(body, http, uri);
    }

    @POST
    @Path("auth/login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirements
    @Operation(operationId = "legacyAuthLogin", summary = "Log in with JSON or a form (the old tool's /auth/login)",
            description = "A form post (the old login page) must come from this site; it also gets a browser session cookie.")
    @RequestBody(required = true, content = {
        @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LoginRequest.class)),
        @Content(mediaType = MediaType.APPLICATION_FORM_URLENCODED, schema = @Schema(implementation = LoginForm.class))})
    @APIResponse(responseCode = "200", description = "Signed in: the token and who it is for",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LoginResponse.class)))
    public Uni<Response> authLogin(LoginRequest body, @Context HttpServerRequest http, @Context UriInfo uri) {
        return jsonLogin(body, http, uri);
    }

    @POST
    @Path("auth/login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> authLoginForm(@FormParam("username") String username, @FormParam("password") String password,
                                       @FormParam("remember_me") String rememberMe,
                                       @Context HttpServerRequest http, @Context UriInfo uri) {
        // a browser form: the answer is JSON as before, and the browser also gets a session for the pages
        if (!WebSessions.sameOrigin(http)) {
            return Uni.createFrom().item(failure(ProblemException.forbidden("This form was sent from another site"), uri));
        }
        LoginRequest req = new LoginRequest(username, password, rememberMe != null && !rememberMe.isBlank());
        ProblemException bad = check(req);
        if (bad != null) {
            return Uni.createFrom().item(failure(bad, uri));
        }
        String address = address(http);
        return logins.login(req, address)
                .chain(ok -> ok.user().id() == null
                        ? Uni.createFrom().item(Response.ok(ok).header("Cache-Control", "no-store").build())
                        : sessions.create(ok.user().id(), address, http.getHeader("User-Agent"))
                        .map(created -> Response.ok(ok).cookie(sessions.cookie(created.cookieValue(), http))
                                .header("Cache-Control", "no-store").build()))
                .onFailure(ProblemException.class).recoverWithItem(e -> failure((ProblemException) e, uri));
    }

    @POST
    @Path("api/auth/verify")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenBody.class)))
    @SecurityRequirements
    @Operation(operationId = "legacyApiAuthVerify", summary = "Check a token (JSON token or Bearer header)",
            description = "200 valid:true with the user and expiry; 401 valid:false for expired, tampered, revoked or deactivated; 400 when no token is given.")
    @APIResponse(responseCode = "200", description = "The token is valid: whose it is and until when",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Verified.class)))
    public Uni<Response> apiAuthVerify(String body, @Context HttpServerRequest http, @Context UriInfo uri) {
        return verify(body, http, uri);
    }

    @POST
    @Path("auth/verify-token")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenBody.class)))
    @SecurityRequirements
    @Operation(operationId = "legacyAuthVerifyToken", summary = "Check a token (the old tool's /auth/verify-token)")
    @APIResponse(responseCode = "200", description = "The token is valid: whose it is and until when",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Verified.class)))
    public Uni<Response> authVerifyToken(String body, @Context HttpServerRequest http, @Context UriInfo uri) {
        return verify(body, http, uri);
    }

    @GET
    @Path("auth/status")
    @PermitAll
    @SecurityRequirements // none needed; a token or session cookie is used when present
    @Operation(operationId = "legacyAuthStatus", summary = "Whether the caller is signed in (token or browser session)")
    @APIResponse(responseCode = "200", description = "Signed in, and as whom",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Status.class)))
    public Uni<Response> status(@Context UriInfo uri) {
        return identities.getDeferredIdentity()
                .onFailure(AuthenticationFailedException.class).recoverWithNull()
                .chain(identity -> {
                    TriggerPrincipal p = principal(identity);
                    if (p == null) {
                        Map<String, Object> body = new LinkedHashMap<>(problem(ProblemException.unauthorized("Not signed in"), uri));
                        body.put("authenticated", false);
                        return Uni.createFrom().item(Response.status(401).type(ProblemMapper.PROBLEM_JSON)
                                .entity(body).header("WWW-Authenticate", "Bearer").build());
                    }
                    return user(p).map(u -> Response.ok(new Status(true, u)).build());
                });
    }

    @GET
    @Path("auth/logout")
    @PermitAll
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML, MediaType.WILDCARD})
    @SecurityRequirements // none needed; a token or session cookie is used when present
    @Operation(operationId = "legacyAuthLogoutGet", summary = "Log out (JSON callers get JSON, browsers a redirect to /login)")
    @APIResponse(responseCode = "200", description = "Logged out (a caller that accepts JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LoggedOut.class)))
    @APIResponse(responseCode = "303", description = "Logged out (a browser): on to /login")
    @APIResponse(responseCode = "403", description = "Not sent from this site's pages: the session stays (a problem, or plain text for a browser)",
            content = {@Content(mediaType = ProblemMapper.PROBLEM_JSON, schema = @Schema(ref = "Problem")),
                @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING))})
    public Uni<Response> logoutGet(@Context HttpServerRequest http) {
        return logout(http);
    }

    @POST
    @Path("auth/logout")
    @PermitAll
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML, MediaType.WILDCARD})
    @SecurityRequirements // none needed; a token or session cookie is used when present
    @Operation(operationId = "legacyAuthLogout", summary = "Log out (JSON callers get JSON, browsers a redirect to /login)")
    @APIResponse(responseCode = "200", description = "Logged out (a caller that accepts JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LoggedOut.class)))
    @APIResponse(responseCode = "303", description = "Logged out (a browser): on to /login")
    @APIResponse(responseCode = "403", description = "Not sent from this site's pages: the session stays (a problem, or plain text for a browser)",
            content = {@Content(mediaType = ProblemMapper.PROBLEM_JSON, schema = @Schema(ref = "Problem")),
                @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING))})
    public Uni<Response> logoutPost(@Context HttpServerRequest http) {
        return logout(http);
    }

    @POST
    @Path("api/logout")
    @PermitAll
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML, MediaType.WILDCARD})
    @SecurityRequirements // none needed; a token or session cookie is used when present
    @Operation(operationId = "legacyApiLogout", summary = "Log out (the old tool's /api/logout)")
    @APIResponse(responseCode = "200", description = "Logged out (a caller that accepts JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LoggedOut.class)))
    @APIResponse(responseCode = "303", description = "Logged out (a browser): on to /login")
    @APIResponse(responseCode = "403", description = "Not sent from this site's pages: the session stays (a problem, or plain text for a browser)",
            content = {@Content(mediaType = ProblemMapper.PROBLEM_JSON, schema = @Schema(ref = "Problem")),
                @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING))})
    public Uni<Response> apiLogout(@Context HttpServerRequest http) {
        return logout(http);
    }

    private Uni<Response> jsonLogin(LoginRequest body, HttpServerRequest http, UriInfo uri) {
        ProblemException bad = check(body);
        if (bad != null) {
            return Uni.createFrom().item(failure(bad, uri));
        }
        return logins.login(body, address(http))
                .map(ok -> Response.ok(ok).header("Cache-Control", "no-store").build())
                .onFailure(ProblemException.class).recoverWithItem(e -> failure((ProblemException) e, uri));
    }

    /** The checks {@code POST /api/login} makes with bean validation, answered in the old shape. */
    private static ProblemException check(LoginRequest req) {
        if (req == null) {
            return ProblemException.badRequest("A JSON body with username and password is required");
        }
        if (req.username() == null || req.username().isBlank()) {
            return ProblemException.invalid("username", "must not be blank");
        }
        if (req.password() == null || req.password().isEmpty()) {
            return ProblemException.invalid("password", "must not be blank");
        }
        if (req.username().length() > 254) {
            return ProblemException.invalid("username", "size must be between 0 and 254");
        }
        if (req.password().length() > 1024) {
            return ProblemException.invalid("password", "size must be between 0 and 1024");
        }
        return null;
    }

    private Uni<Response> verify(String raw, HttpServerRequest http, UriInfo uri) {
        // the body is optional (a Bearer header alone will do), so it is read whatever its content type
        TokenBody body = null;
        if (raw != null && !raw.isBlank()) {
            try {
                body = json.readValue(raw, TokenBody.class);
            } catch (java.io.IOException e) {
                return Uni.createFrom().item(notValid(ProblemException.badRequest("The body must be JSON with a token field"), uri));
            }
        }
        String token = body != null && body.token() != null && !body.token().isBlank() ? body.token().trim() : bearerOf(http);
        if (token == null) {
            return Uni.createFrom().item(notValid(ProblemException.invalid("token",
                    "is required (JSON field token or an Authorization: Bearer header)"), uri));
        }
        return bearer.inspect(token)
                .chain(i -> user(i.principal()).map(u -> Response.ok(new Verified(true, u, i.expiresAt())).build()))
                .onFailure(AuthenticationFailedException.class).recoverWithItem(e -> notValid(
                        ProblemException.unauthorized("The token is invalid, expired, revoked or its user is deactivated"), uri));
    }

    private static Response notValid(ProblemException e, UriInfo uri) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("valid", false);
        b.putAll(problem(e, uri));
        Response.ResponseBuilder r = Response.status(e.status()).type(ProblemMapper.PROBLEM_JSON).entity(b);
        e.headers().forEach(r::header);
        return r.build();
    }

    /**
     * Ends the browser session the request comes with, if it proves it comes from this site (the CSRF token, or the
     * browser's same-origin metadata): another site's link, image or form must not sign people out.
     */
    private Uni<Response> logout(HttpServerRequest http) {
        Cookie cookie = http.getCookie(WebSessions.COOKIE);
        Uni<Boolean> ended = cookie == null || cookie.getValue().isEmpty() ? Uni.createFrom().item(true)
                : sessions.find(cookie.getValue()).chain(live -> {
                    if (live == null) {
                        return Uni.createFrom().item(true);
                    }
                    if (!WebSessions.provenSameSite(http, live)) {
                        return Uni.createFrom().item(false);
                    }
                    return sessions.signOut(cookie.getValue(), new Actor(live.username(), live.userId(), ClientAddress.of(http)),
                            "via legacy logout route").replaceWith(true);
                });
        return ended.map(ok -> {
            if (!ok) {
                String why = "Logout refused: the request did not come from this site's pages (send the session's "
                        + WebSessions.CSRF_HEADER + " header, or use the Log out button)";
                return wantsJson(http)
                        ? ProblemMapper.response(403, "Forbidden", why, http.path(), java.util.Map.of()).toResponse()
                        : Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(why).build();
            }
            if (wantsJson(http)) {
                return Response.ok(new LoggedOut(true, "Logged out", "/login")).cookie(WebSessions.clearedCookie()).build();
            }
            return Response.seeOther(URI.create("/login")).cookie(WebSessions.clearedCookie()).build();
        });
    }

    private Uni<LegacyUser> user(TriggerPrincipal p) {
        String authType = p.authType().name().toLowerCase(Locale.ROOT);
        if (p.userId() == null) {
            return Uni.createFrom().item(new LegacyUser(null, null, p.username(), null, p.role().id(), authType));
        }
        return users.find(p.userId()).map(u -> new LegacyUser(p.userId(), p.userId(), p.username(),
                u == null ? null : u.email, p.role().id(), authType));
    }

    private static TriggerPrincipal principal(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof TriggerPrincipal p)) {
            return null;
        }
        return p;
    }

    private static boolean wantsJson(HttpServerRequest http) {
        String accept = http.getHeader("Accept");
        String type = http.getHeader("Content-Type");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("json") && !accept.toLowerCase(Locale.ROOT).contains("text/html")
                || type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")
                || "XMLHttpRequest".equalsIgnoreCase(http.getHeader("X-Requested-With"));
    }

    private static String bearerOf(HttpServerRequest http) {
        String h = http.getHeader("Authorization");
        if (h == null || h.length() <= 7 || !h.regionMatches(true, 0, "bearer ", 0, 7)) {
            return null;
        }
        String t = h.substring(7).trim();
        return t.isEmpty() ? null : t;
    }

    private static String address(HttpServerRequest http) {
        return ClientAddress.orUnknown(http);
    }

    /** Problem details plus the old tool's {@code success: false} and {@code error}. */
    static Response failure(ProblemException e, UriInfo uri) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", e.getMessage());
        body.putAll(problem(e, uri));
        Response.ResponseBuilder b = Response.status(e.status()).type(ProblemMapper.PROBLEM_JSON).entity(body);
        e.headers().forEach(b::header);
        return b.build();
    }

    private static Map<String, Object> problem(ProblemException e, UriInfo uri) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", e.title());
        body.put("status", e.status());
        body.put("detail", e.getMessage());
        body.put("instance", uri == null ? null : uri.getPath());
        if (e.violations() != null) {
            body.put("violations", e.violations());
        }
        return body;
    }
}
