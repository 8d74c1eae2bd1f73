package io.triggerdeploy.web;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.auth.LoginRequest;
import io.triggerdeploy.auth.LoginService;
import io.triggerdeploy.auth.SecondFactor;
import io.triggerdeploy.auth.TotpService;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.DbErrors;
import io.triggerdeploy.federation.OidcSignIn;
import io.triggerdeploy.security.AuthConfig;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

import java.net.URI;

/**
 * The login form and logout for browsers. A successful login creates a session row and sets the session cookie
 * (HttpOnly, SameSite=Lax, Secure over HTTPS); logout deletes the row, so the cookie is dead everywhere.
 */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class SessionPages {

    static final String CALLBACK = "/oidc/callback";
    private static final Logger LOG = Logger.getLogger(SessionPages.class);

    private final LoginService logins;
    private final WebSessions sessions;
    private final AuthConfig config;
    private final CurrentIdentityAssociation identities;
    private final SecondFactor secondFactor;
    private final OidcSignIn oidc;

    public SessionPages(LoginService logins, WebSessions sessions, AuthConfig config, CurrentIdentityAssociation identities,
                        SecondFactor secondFactor, OidcSignIn oidc) {
        this.logins = logins;
        this.sessions = sessions;
        this.config = config;
        this.identities = identities;
        this.secondFactor = secondFactor;
        this.oidc = oidc;
    }

    @GET
    @Path("login")
    @Operation(hidden = true)
    public Uni<Response> form(@QueryParam("next") String next) {
        String target = Pages.safeNext(next);
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .chain(identity -> Pages.context(identity, null) != null
                        ? Uni.createFrom().item(Response.seeOther(URI.create(target)).build())
                        : page(200, "", target, null));
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> login(@FormParam("username") String username, @FormParam("password") String password,
                               @FormParam("next") String next, @FormParam("challenge") String challenge,
                               @FormParam("code") String code, @Context HttpServerRequest http) {
        String target = Pages.safeNext(next);
        String user = username == null ? "" : username.strip();
        if (!sameOrigin(http)) {
            return page(403, user, target, "This form was sent from another site; open the login page and try again.");
        }
        if (challenge != null && !challenge.isBlank()) {
            return secondStep(user, target, challenge.strip(), code, http);
        }
        if (user.isEmpty() || password == null || password.isEmpty()) {
            return page(400, user, target, "Enter your username or email and your password.");
        }
        if (user.length() > 254 || password.length() > 1024) {
            return page(400, user, target, "Invalid username or password.");
        }
        String address = ClientAddress.orUnknown(http);
        return logins.verify(new LoginRequest(user, password), address)
                .onFailure(SecondFactor.TotpRequired.class).recoverWithUni(e -> secondFactor.challenge(((SecondFactor.TotpRequired) e).userId())
                        .chain(ch -> Uni.createFrom().failure(new SecondFactor.SecondFactorRetry(ch, null))))
                .onFailure(SecondFactor.TotpEnrolmentRequired.class).recoverWithUni(e -> {
                    SecondFactor.TotpEnrolmentRequired r = (SecondFactor.TotpEnrolmentRequired) e;
                    return secondFactor.challenge(r.userId()).chain(ch -> Uni.createFrom().failure(
                            new SecondFactor.SecondFactorRetry(ch, r.enrolment())));
                })
                .chain(a -> {
                    if (a.breakGlass()) {
                        throw ProblemException.unavailable("The database is unreachable, so the web pages cannot work. "
                                + "Break-glass users can use the API (POST /api/login) until it is back.");
                    }
                    return sessions.create(a.id(), address, http.getHeader("User-Agent"));
                })
                .map(created -> Response.seeOther(URI.create(target)).cookie(sessionCookie(created.cookieValue(), http))
                        .header("Cache-Control", "no-store").build())
                .onFailure().recoverWithUni(e -> {
                    if (e instanceof SecondFactor.SecondFactorRetry r) {
                        return page(200, user, target, null, r.challenge(), r.enrolment(), null);
                    }
                    return failed(user, target, e);
                });
    }

    /** The login page again with what went wrong: the problem's own words, the database, or an internal error. */
    private Uni<Response> failed(String user, String target, Throwable e) {
        if (e instanceof ProblemException p) {
            return page(p.status(), user, target, p.getMessage());
        }
        if (DbErrors.isUnavailable(e)) {
            return page(503, user, target, "The database is unreachable right now; try again in a moment.");
        }
        LOG.error("Web login failed", e);
        return page(500, user, target, "Login failed because of an internal error; try again.");
    }

    /** The code step: the challenge stands for the password just checked (five minutes, used once). */
    private Uni<Response> secondStep(String user, String target, String challenge, String code, HttpServerRequest http) {
        String address = ClientAddress.orUnknown(http);
        if (code == null || code.isBlank() || code.length() > 64) {
            return page(400, user, target, "Enter the code from your authenticator app.", challenge);
        }
        return secondFactor.completeChallenge(challenge, code.strip(), address)
                .chain(a -> sessions.create(a.id(), address, http.getHeader("User-Agent")).chain(created -> a.recoveryCodes() == null
                        ? Uni.createFrom().item(Response.seeOther(URI.create(target)).cookie(sessionCookie(created.cookieValue(), http))
                                .header("Cache-Control", "no-store").build())
                        // a second factor set up by this login: its recovery codes, shown this once, then on to the page
                        : page(200, user, target, null, null, null, a.recoveryCodes())
                                .map(r -> Response.fromResponse(r).cookie(sessionCookie(created.cookieValue(), http)).build())))
                .onFailure().recoverWithUni(e -> {
                    if (e instanceof SecondFactor.SecondFactorRetry r) {
                        return page(401, user, target, "That code is not right, or was used already; try the next one.", r.challenge(),
                                r.enrolment(), null);
                    }
                    return failed(user, target, e);
                });
    }

    @POST
    @Path("logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> logout(@FormParam("csrf_token") String csrf, @Context HttpServerRequest http) {
        Cookie cookie = http.getCookie(WebSessions.COOKIE);
        Response bye = Response.seeOther(URI.create("/login")).cookie(Pages.clearedCookie()).build();
        if (cookie == null) {
            return Uni.createFrom().item(bye);
        }
        return sessions.find(cookie.getValue()).chain(live -> {
            if (live == null) {
                return Uni.createFrom().item(bye);
            }
            if (!WebSessions.csrfMatches(live, csrf)) {
                return Uni.createFrom().item(Response.status(403).type(Pages.HTML)
                        .entity("Logout refused: the form is stale. Go back, reload the page and log out again.").build());
            }
            return sessions.idToken(cookie.getValue()).chain(idToken -> sessions.signOut(cookie.getValue(),
                            new Actor(live.username(), live.userId(), ClientAddress.of(http)),
                            idToken == null ? null : "and at the identity provider")
                    // signed in through the provider: its session ends too (RP-initiated logout), then back to the login page
                    .chain(() -> idToken == null || !oidc.configured() ? Uni.createFrom().item(bye)
                            : oidc.providerLogout(idToken, baseUrl(http) + "/login").map(url -> url.isEmpty() ? bye
                            : Response.seeOther(URI.create(url.get())).cookie(Pages.clearedCookie()).build())));
        }).onFailure(AuthenticationFailedException.class).recoverWithItem(bye);
    }

    /** Starts an OIDC sign-in: the browser keeps the state in a cookie and goes to the provider. */
    @GET
    @Path("oidc/login")
    @Operation(hidden = true)
    public Uni<Response> oidcStart(@QueryParam("next") String next, @Context HttpServerRequest http) {
        String target = Pages.safeNext(next);
        if (!oidc.configured()) {
            return page(404, "", target, "Single sign-on is not set up here; sign in with your username and password.");
        }
        return oidc.start(target, baseUrl(http) + CALLBACK)
                .map(start -> Response.seeOther(URI.create(start.url())).cookie(stateCookie(start.state(), http, false))
                        .header("Cache-Control", "no-store").build())
                .onFailure().recoverWithUni(e -> failed("", target, e));
    }

    /**
     * The provider sends the browser back here: with the state this browser holds and a code, the user is signed in and
     * goes where they were going; anything else shows the login page with what went wrong.
     */
    @GET
    @Path("oidc/callback")
    @Operation(hidden = true)
    public Uni<Response> oidcCallback(@QueryParam("code") String code, @QueryParam("state") String state,
                                      @QueryParam("error") String error, @QueryParam("error_description") String description,
                                      @Context HttpServerRequest http) {
        if (!oidc.configured()) {
            return page(404, "", "/", "Single sign-on is not set up here; sign in with your username and password.");
        }
        Cookie held = http.getCookie(OidcSignIn.STATE_COOKIE);
        if (error != null) {
            String said = description == null || description.isBlank() ? error : description;
            return page(401, "", "/", "The identity provider did not sign you in: " + cut(said, 200))
                    .map(r -> Response.fromResponse(r).cookie(stateCookie("", http, true)).build());
        }
        String address = ClientAddress.orUnknown(http);
        return oidc.finish(code, state, held == null ? null : held.getValue(), baseUrl(http) + CALLBACK, address)
                .chain(done -> sessions.signIn(new Actor(done.user().username(), done.user().id(), address),
                                http.getHeader("User-Agent"), done.idToken(), "through OIDC")
                        .map(created -> Response.seeOther(URI.create(Pages.safeNext(done.next())))
                                .cookie(sessionCookie(created.cookieValue(), http), stateCookie("", http, true))
                                .header("Cache-Control", "no-store").build()))
                .onFailure().recoverWithUni(e -> failed("", "/", e).map(r -> Response.fromResponse(r).cookie(stateCookie("", http, true)).build()));
    }

    /** The service's own URL: the configured public URL, else this request's scheme and host. */
    private String baseUrl(HttpServerRequest http) {
        return oidc.publicUrl().orElseGet(() -> http.scheme() + "://" + (http.authority() == null ? http.getHeader("Host") : http.authority().toString()));
    }

    /** The state of a sign-in in flight, for this browser only; Lax so that the provider's redirect back carries it. */
    private NewCookie stateCookie(String value, HttpServerRequest http, boolean clear) {
        boolean secure = config.session().secureCookie().orElseGet(() -> "https".equals(http.scheme()));
        NewCookie.Builder b = new NewCookie.Builder(OidcSignIn.STATE_COOKIE).value(value).path("/oidc/").httpOnly(true).secure(secure)
                .sameSite(NewCookie.SameSite.LAX);
        return (clear ? b.maxAge(0) : b.maxAge(600)).build();
    }

    private static String cut(String s, int max) {
        String clean = s.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() <= max ? clean : clean.substring(0, max) + "…";
    }

    private Uni<Response> page(int status, String username, String next, String error) {
        return page(status, username, next, error, null);
    }

    /** The login page; with a challenge, its second step asks for the two-factor code. */
    private Uni<Response> page(int status, String username, String next, String error, String challenge) {
        return page(status, username, next, error, challenge, null, null);
    }

    private Uni<Response> page(int status, String username, String next, String error, String challenge,
                               TotpService.Enrolment enrolment, java.util.List<String> recoveryCodes) {
        return Templates.login(username, next, error, challenge, enrolment, recoveryCodes,
                        oidc.configured() ? oidc.displayName() : null).createUni()
                .map(html -> Response.status(status).type(Pages.HTML).entity(html).header("Cache-Control", "no-store").build());
    }

    private NewCookie sessionCookie(String value, HttpServerRequest http) {
        return sessions.cookie(value, http);
    }

    /** Login CSRF: a browser posting from another origin says so in Origin; no Origin (curl, old browsers) is let through. */
    private static boolean sameOrigin(HttpServerRequest http) {
        return WebSessions.sameOrigin(http);
    }
}
