package io.triggerdeploy.ci;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A CI binding: an ID token of {@code issuer} whose claims meet every one of {@code claims} (a value ending in {@code *}
 * matches any claim that starts with the rest) gets a token that acts as {@code team}, for {@code tokenLifetimeSeconds}.
 */
public record CiBinding(long id, String name, long issuerId, String issuer, Map<String, String> claims, long teamId, String team,
                        int tokenLifetimeSeconds, @Schema(nullable = true) String createdBy, OffsetDateTime createdAt) {
}
