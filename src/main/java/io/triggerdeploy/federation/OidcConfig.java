package io.triggerdeploy.federation;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Single sign-on through an OpenID Connect provider ({@code trigger.auth.oidc.*}, env {@code TRIGGER_AUTH_OIDC_*}):
 * off unless {@code issuer} and {@code client-id} are set. The pages use the authorization code flow with PKCE; API
 * clients may send the provider's access tokens when {@code bearer} is on.
 */
@ConfigMapping(prefix = "trigger.auth.oidc")
public interface OidcConfig {

    /** The provider's issuer URL, exactly as its discovery document states it (Keycloak: {@code https://host/realms/name}). */
    Optional<String> issuer();

    Optional<String> clientId();

    /** The client's secret (prefer {@link #clientSecretFile()}); unset: a public client (PKCE only). */
    Optional<String> clientSecret();

    /** A file holding the client secret (e.g. a mounted Kubernetes Secret); a trailing newline is ignored. */
    Optional<Path> clientSecretFile();

    @WithDefault("openid profile email")
    String scopes();

    /** The claim holding the user name used here. */
    @WithDefault("preferred_username")
    String usernameClaim();

    /** The claim holding the user's groups (a list of names; a path like {@code /team/sub} maps whole, a top-level {@code /ops} also as {@code ops}). */
    @WithDefault("groups")
    String groupsClaim();

    @WithDefault("email")
    String emailClaim();

    /** Shown on the login page: "Sign in with …". */
    @WithDefault("single sign-on")
    String displayName();

    /** Role of someone none of whose groups is mapped to a role: {@code none} (refused), viewer, operator or admin. */
    @WithDefault("none")
    @jakarta.validation.constraints.Pattern(regexp = "none|viewer|operator|admin")
    String defaultRole();

    /** Whether API requests may carry the provider's access tokens as {@code Authorization: Bearer}. */
    @WithDefault("false")
    boolean bearer();

    /** The audience an access token must name to be accepted; unset: the client id. */
    Optional<String> audience();

    /**
     * The service's public URL (e.g. {@code https://deploy.example.com}), for the redirect URI registered at the
     * provider; unset: taken from each request (set {@code quarkus.http.proxy.*} behind a proxy).
     */
    Optional<String> publicUrl();

    /** Whether signing out also ends the session at the provider (RP-initiated logout), when it offers that. */
    @WithDefault("true")
    boolean providerLogout();

    /** Bound on each call to the provider (discovery, keys, token exchange). */
    @WithDefault("5s")
    Duration timeout();
}
