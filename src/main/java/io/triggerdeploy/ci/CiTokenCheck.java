package io.triggerdeploy.ci;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.federation.OidcClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Verifies a CI job's ID token: issued by a trusted CI issuer ({@code iss} exactly), signed with an asymmetric algorithm
 * by a key of that issuer's key set (never {@code none}, never a shared secret), made for the issuer's audience, not
 * expired (30 s of clock skew), valid for at most a day.
 */
@ApplicationScoped
public class CiTokenCheck {

    private static final Logger LOG = Logger.getLogger(CiTokenCheck.class);
    private static final int MAX_LENGTH = 16 * 1024;

    private final CiRepository repository;
    private final CiKeys keys;

    public CiTokenCheck(CiRepository repository, CiKeys keys) {
        this.repository = repository;
        this.keys = keys;
    }

    /** A verified token: its issuer, its claims, its digest (one exchange per token) and when it expires. */
    record Verified(CiIssuer issuer, CiClaims claims, String digest, OffsetDateTime expiresAt) {
    }

    Uni<Verified> verify(String token) {
        if (token == null || token.isBlank() || token.length() > MAX_LENGTH) {
            return Uni.createFrom().failure(ProblemException.invalid("token", "must be the CI provider's ID token (a JWT)"));
        }
        String iss;
        try {
            iss = new JwtConsumerBuilder().setSkipAllValidators().setDisableRequireSignature().setSkipSignatureVerification()
                    .build().processToClaims(token.strip()).getIssuer();
        } catch (InvalidJwtException | MalformedClaimException e) {
            return Uni.createFrom().failure(ProblemException.invalid("token", "must be the CI provider's ID token (a JWT)"));
        }
        if (iss == null) {
            return Uni.createFrom().failure(refused("names no issuer"));
        }
        return repository.issuerFor(iss).chain(issuer -> {
            if (issuer == null) {
                throw refused("is not from a trusted CI issuer (" + (iss.length() > 200 ? iss.substring(0, 200) : iss) + ")");
            }
            return keys.of(issuer, false).chain(k -> {
                try {
                    return Uni.createFrom().item(verified(issuer, k, token.strip()));
                } catch (InvalidJwtException e) {
                    if (!unknownKey(e)) {
                        throw refused(e, issuer);
                    }
                    // a key not seen yet: the issuer may have rotated its keys
                    return keys.of(issuer, true).map(fresh -> {
                        try {
                            return verified(issuer, fresh, token.strip());
                        } catch (InvalidJwtException again) {
                            throw refused(again, issuer);
                        }
                    });
                }
            });
        });
    }

    private Verified verified(CiIssuer issuer, JsonWebKeySet keySet, String token) throws InvalidJwtException {
        JwtClaims claims = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setMaxFutureValidityInMinutes(24 * 60)
                .setAllowedClockSkewInSeconds(30)
                .setExpectedIssuer(issuer.issuer())
                .setExpectedAudience(issuer.audience())
                .setJwsAlgorithmConstraints(OidcClient.ASYMMETRIC)
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(keySet.getJsonWebKeys()))
                .build().processToClaims(token);
        try {
            OffsetDateTime exp = OffsetDateTime.ofInstant(Instant.ofEpochSecond(claims.getExpirationTime().getValue()), ZoneOffset.UTC);
            return new Verified(issuer, new CiClaims(claims.getClaimsMap()), digest(token), exp);
        } catch (MalformedClaimException e) {
            throw refused("has a malformed expiry");
        }
    }

    private static boolean unknownKey(InvalidJwtException e) {
        return e.getCause() instanceof org.jose4j.lang.UnresolvableKeyException
                || String.valueOf(e.getMessage()).contains("UnresolvableKeyException");
    }

    private static ProblemException refused(InvalidJwtException e, CiIssuer issuer) {
        LOG.debugf("CI ID token refused: %s", e.getMessage());
        if (e.hasExpired()) {
            return refused("has expired");
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return refused("is not made for the audience '" + issuer.audience() + "'");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_TOO_FAR_IN_FUTURE)) {
            return refused("is valid for more than a day");
        }
        return refused("is not signed by a key of the issuer '" + issuer.name() + "' with an allowed algorithm");
    }

    private static ProblemException refused(String why) {
        return ProblemException.unauthorized("The ID token " + why + "; nothing was issued");
    }

    static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
