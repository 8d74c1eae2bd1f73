package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The service's side of OpenID Connect: the provider's discovery document and signing keys (fetched when first needed,
 * kept, and fetched again when a token names a key not seen yet), the authorization request with PKCE (S256), state and
 * nonce, the code exchange, and the checks of ID and access tokens (signature with the provider's keys and an
 * asymmetric algorithm only, issuer, audience, expiry with 30 s of clock skew, nonce).
 */
@ApplicationScoped
public class OidcClient {

    /** The signature algorithms an identity provider's or CI issuer's token may use: asymmetric ones only. */
    public static final AlgorithmConstraints ASYMMETRIC = new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512, AlgorithmIdentifiers.EDDSA);
    private static final Logger LOG = Logger.getLogger(OidcClient.class);
    private static final Duration METADATA_TTL = Duration.ofHours(1);
    /** A token naming an unknown key fetches the keys again at most this often (a flood of forged kids costs nothing). */
    private static final Duration KEYS_REFETCH = Duration.ofSeconds(30);

    private final OidcConfig config;
    private final WebClient http;
    /** An instance field: a generator in a static field would be created at build time in a native image. */
    private final SecureRandom random = new SecureRandom();

    private volatile Metadata metadata;
    private volatile long metadataAt;
    private volatile JsonWebKeySet keys;
    private volatile long keysAt;

    public OidcClient(OidcConfig config, Vertx vertx) {
        this.config = config;
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) config.timeout().toMillis())
                .setFollowRedirects(false)
                .setUserAgent("trigger-deploy"));
    }

    public boolean configured() {
        return config.issuer().isPresent() && config.clientId().isPresent();
    }

    public boolean bearer() {
        return configured() && config.bearer();
    }

    public String displayName() {
        return config.displayName();
    }

    public boolean providerLogout() {
        return config.providerLogout();
    }

    public Optional<String> publicUrl() {
        return config.publicUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    }

    public Optional<Role> defaultRole() {
        return Role.parse(config.defaultRole());
    }

    /** What the discovery document says (the parts used here). */
    public record Metadata(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
                           String endSessionEndpoint) {
    }

    /** A new authorization request: what to keep (state, nonce, verifier) and where to send the browser. */
    public record Authorization(String state, String nonce, String verifier, String url) {
    }

    /** The provider's answer to the code exchange, checked. */
    public record SignedIn(ExternalIdentity identity, String idToken) {
    }

    /** The discovery document, fetched when first needed and kept for an hour; the issuer in it must be the one configured. */
    public Uni<Metadata> metadata() {
        Metadata m = metadata;
        if (m != null && System.nanoTime() - metadataAt < METADATA_TTL.toNanos()) {
            return Uni.createFrom().item(m);
        }
        String issuer = issuer();
        return get(issuer + "/.well-known/openid-configuration").map(body -> {
            JsonObject doc = new JsonObject(body);
            String stated = doc.getString("issuer");
            if (stated == null || !trimSlash(stated).equals(issuer)) {
                LOG.errorf("The OIDC provider's discovery document names issuer %s, not %s as configured", stated, issuer);
                throw unavailable();
            }
            Metadata fresh = new Metadata(stated, required(doc, "authorization_endpoint"), required(doc, "token_endpoint"),
                    required(doc, "jwks_uri"), doc.getString("end_session_endpoint"));
            metadata = fresh;
            metadataAt = System.nanoTime();
            return fresh;
        });
    }

    /** Starts a sign-in: new state, nonce and PKCE verifier, and the provider's URL with them. */
    public Uni<Authorization> authorize(String redirectUri) {
        return metadata().map(m -> {
            String state = random(32);
            String nonce = random(24);
            String verifier = random(48);
            String url = m.authorizationEndpoint() + (m.authorizationEndpoint().contains("?") ? "&" : "?")
                    + form(Map.of("response_type", "code", "client_id", config.clientId().orElseThrow(), "redirect_uri", redirectUri,
                    "scope", config.scopes(), "state", state, "nonce", nonce, "code_challenge", challenge(verifier),
                    "code_challenge_method", "S256"));
            return new Authorization(state, nonce, verifier, url);
        });
    }

    /** Exchanges the code for tokens and checks the ID token (with the nonce of this sign-in). */
    public Uni<SignedIn> exchange(String code, String verifier, String redirectUri, String nonce) {
        return metadata().chain(m -> {
            io.vertx.mutiny.core.MultiMap form = io.vertx.mutiny.core.MultiMap.caseInsensitiveMultiMap()
                    .add("grant_type", "authorization_code").add("code", code).add("redirect_uri", redirectUri)
                    .add("code_verifier", verifier).add("client_id", config.clientId().orElseThrow());
            var request = http.postAbs(m.tokenEndpoint()).timeout(config.timeout().toMillis())
                    .putHeader("Accept", "application/json");
            String secret = clientSecret();
            if (secret != null) {
                request.basicAuthentication(urlEncode(config.clientId().orElseThrow()), urlEncode(secret));
            }
            return request.sendForm(form).onFailure().transform(e -> {
                LOG.warnf("OIDC token endpoint unreachable: %s", e.getMessage());
                return unavailable();
            }).chain(response -> {
                if (response.statusCode() != 200) {
                    LOG.warnf("OIDC code exchange refused: HTTP %d %s", response.statusCode(), errorOf(response));
                    return Uni.createFrom().failure(ProblemException.unauthorized("The identity provider did not accept this sign-in; start again"));
                }
                String idToken;
                try {
                    idToken = response.bodyAsJsonObject().getString("id_token");
                } catch (RuntimeException e) {
                    idToken = null;
                }
                if (idToken == null) {
                    return Uni.createFrom().failure(ProblemException.unauthorized("The identity provider sent no ID token"));
                }
                String token = idToken;
                return verify(token, config.clientId().orElseThrow(), false).map(claims -> {
                    try {
                        if (!nonce.equals(claims.getStringClaimValue("nonce"))) {
                            LOG.warnf("OIDC sign-in refused: the ID token's nonce is not this sign-in's");
                            throw ProblemException.unauthorized("This sign-in could not be verified; start again");
                        }
                    } catch (MalformedClaimException e) {
                        throw ProblemException.unauthorized("This sign-in could not be verified; start again");
                    }
                    return new SignedIn(OidcClaims.identity(claims, config), token);
                });
            });
        });
    }

    /** An access token sent as a bearer token: its identity, when the provider signed it for this service's audience. */
    public Uni<ExternalIdentity> accessToken(String token) {
        return verify(token, config.audience().orElse(config.clientId().orElseThrow()), true).map(claims -> OidcClaims.identity(claims, config));
    }

    /** Where to send the browser to end the provider's session too; empty when the provider has no such endpoint. */
    public Uni<Optional<String>> endSession(String idToken, String postLogoutRedirect) {
        if (!configured() || !config.providerLogout()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return metadata().map(m -> m.endSessionEndpoint() == null ? Optional.<String>empty() : Optional.of(m.endSessionEndpoint()
                        + (m.endSessionEndpoint().contains("?") ? "&" : "?") + form(idToken == null
                        ? Map.of("client_id", config.clientId().orElseThrow(), "post_logout_redirect_uri", postLogoutRedirect)
                        : Map.of("client_id", config.clientId().orElseThrow(), "post_logout_redirect_uri", postLogoutRedirect,
                        "id_token_hint", idToken))))
                .onFailure().recoverWithItem(Optional.empty());
    }

    /** Whether a token says it comes from the configured provider (not checked: only to choose who checks it). */
    public boolean issuedHere(String token) {
        if (!configured()) {
            return false;
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0) {
            return false;
        }
        try {
            JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(first + 1, second)),
                    StandardCharsets.UTF_8));
            Object iss = payload.getValue("iss");
            return iss instanceof String s && trimSlash(s).equals(issuer());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Uni<JwtClaims> verify(String token, String audience, boolean accessToken) {
        return metadata().chain(m -> keys(false).chain(k -> {
            try {
                return Uni.createFrom().item(consumer(m, k, audience).processToClaims(token));
            } catch (InvalidJwtException e) {
                if (unknownKey(e) && System.nanoTime() - keysAt > KEYS_REFETCH.toNanos()) {
                    // the provider may have rotated its keys: fetch them again, once
                    return keys(true).map(fresh -> {
                        try {
                            return consumer(m, fresh, audience).processToClaims(token);
                        } catch (InvalidJwtException again) {
                            throw refused(again, accessToken);
                        }
                    });
                }
                throw refused(e, accessToken);
            }
        }));
    }

    private JwtConsumer consumer(Metadata m, JsonWebKeySet keys, String audience) {
        return new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(30)
                .setExpectedIssuer(m.issuer())
                .setExpectedAudience(audience)
                .setJwsAlgorithmConstraints(ASYMMETRIC)
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(keys.getJsonWebKeys()))
                .build();
    }

    private Uni<JsonWebKeySet> keys(boolean refresh) {
        JsonWebKeySet k = keys;
        if (k != null && !refresh && System.nanoTime() - keysAt < METADATA_TTL.toNanos()) {
            return Uni.createFrom().item(k);
        }
        return metadata().chain(m -> get(m.jwksUri())).map(body -> {
            try {
                JsonWebKeySet fresh = new JsonWebKeySet(body);
                keys = fresh;
                keysAt = System.nanoTime();
                return fresh;
            } catch (JoseException e) {
                LOG.warnf("The OIDC provider's keys could not be read: %s", e.getMessage());
                throw unavailable();
            }
        });
    }

    private Uni<String> get(String url) {
        return http.getAbs(url).timeout(config.timeout().toMillis()).putHeader("Accept", "application/json").send()
                .onFailure().transform(e -> {
                    LOG.warnf("OIDC provider unreachable (%s): %s", url, e.getMessage());
                    return unavailable();
                })
                .map(r -> {
                    if (r.statusCode() != 200) {
                        LOG.warnf("OIDC provider answered %d for %s", r.statusCode(), url);
                        throw unavailable();
                    }
                    return r.bodyAsString();
                });
    }

    private String clientSecret() {
        return SecretSetting.read(config.clientSecretFile(), config.clientSecret(), "trigger.auth.oidc.client-secret-file", unavailable());
    }

    private String issuer() {
        return trimSlash(config.issuer().orElseThrow());
    }

    private static ProblemException refused(InvalidJwtException e, boolean accessToken) {
        LOG.debugf("OIDC token refused: %s", e.getMessage());
        return ProblemException.unauthorized(accessToken ? "invalid token" : "This sign-in could not be verified; start again");
    }

    private static boolean unknownKey(InvalidJwtException e) {
        return e.getCause() instanceof org.jose4j.lang.UnresolvableKeyException
                || String.valueOf(e.getMessage()).contains("UnresolvableKeyException");
    }

    private static String errorOf(HttpResponse<Buffer> response) {
        try {
            JsonObject body = response.bodyAsJsonObject();
            return body == null ? "" : body.getString("error", "");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String required(JsonObject doc, String field) {
        String v = doc.getString(field);
        if (v == null || v.isBlank()) {
            LOG.errorf("The OIDC provider's discovery document has no %s", field);
            throw unavailable();
        }
        return v;
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static ProblemException unavailable() {
        return ProblemException.unavailable("The identity provider cannot be reached right now; local users can still sign in");
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        new java.util.TreeMap<>(params).forEach((k, v) -> {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(urlEncode(k)).append('=').append(urlEncode(v));
        });
        return out.toString();
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String random(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
