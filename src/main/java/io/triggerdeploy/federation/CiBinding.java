package io.triggerdeploy.federation;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A CI binding: an ID token of {@code issuer} whose claims meet every condition (a value ending in {@code *} matches
 * any claim that starts with the rest) gets a token that acts as {@code team}, for {@code lifetimeSeconds}.
 */
public record CiBinding(long id, String name, long issuerId, String issuer, Map<String, String> conditions, long teamId, String team,
                        int lifetimeSeconds, String createdBy, OffsetDateTime createdAt) {
}
