package io.triggerdeploy.ci;

import java.time.OffsetDateTime;

/** A short-lived token for a CI job: who it acts as ({@code ci:acme/shop:Deploy#1234}), through which binding and team, until when. */
public record CiTokenResponse(String token, String tokenType, OffsetDateTime expiresAt, String identity, String binding, String team) {
}
