package io.triggerdeploy.web;

import io.triggerdeploy.federation.OidcConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Security headers on every response (pages, API, static files, Swagger UI): no framing (clickjacking), no MIME
 * sniffing, no referrer to other sites, and a Content-Security-Policy. The pages have no inline script or style,
 * so their policy allows only this origin; Swagger UI's page has inline script and style, so it gets a policy that
 * allows them and nothing from elsewhere. HSTS only over HTTPS (as seen by the server, or by the proxy when
 * forwarding headers are enabled).
 */
@ApplicationScoped
public class SecurityHeaders {

    static final String PAGES_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    static final String SWAGGER_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final String pagesCsp;

    /** Signing out of an OIDC session sends the logout form on to the provider: the policy lets forms go there too. */
    public SecurityHeaders(OidcConfig oidc) {
        String provider = oidc.issuer().map(SecurityHeaders::origin).orElse(null);
        this.pagesCsp = provider == null ? PAGES_CSP : PAGES_CSP.replace("form-action 'self'", "form-action 'self' " + provider);
    }

    static String origin(String url) {
        try {
            java.net.URI u = java.net.URI.create(url.strip());
            if (u.getScheme() == null || u.getHost() == null || !u.getScheme().matches("https?")) {
                return null;
            }
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    void register(@Observes Router router) {
        router.route().order(-100).handler(rc -> {
            HttpServerRequest request = rc.request();
            String path = request.path();
            boolean https = "https".equals(request.scheme());
            rc.addHeadersEndHandler(x -> {
                var h = rc.response().headers();
                h.set("X-Frame-Options", "DENY");
                h.set("X-Content-Type-Options", "nosniff");
                h.set("Referrer-Policy", "same-origin");
                h.set("Content-Security-Policy", path != null && path.startsWith("/q/swagger-ui") ? SWAGGER_CSP : pagesCsp);
                if (https) {
                    h.set("Strict-Transport-Security", "max-age=31536000");
                }
            });
            rc.next();
        });
    }
}
