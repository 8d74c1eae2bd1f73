package io.triggerdeploy.ci;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;

/** A trusted CI issuer: whose ID tokens may be exchanged, where its keys are, and the audience its tokens must name. */
public record CiIssuer(long id, String name, String issuer, String jwksUrl, String audience, int bindings, @Schema(nullable = true) String createdBy,
                       OffsetDateTime createdAt) {
}
