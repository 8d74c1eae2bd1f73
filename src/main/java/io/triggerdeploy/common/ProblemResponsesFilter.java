package io.triggerdeploy.common;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.util.Map;

/**
 * Adds the problem+json error responses every endpoint can give to the generated OpenAPI document, and the
 * Problem schema they refer to, so clients see the error contract without per-method annotations. Runs when the
 * jar is built: it depends on nothing at run time, and a run-time filter makes the document be built at every start.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ProblemResponsesFilter implements OASFilter {

    private static final String REF = "#/components/schemas/Problem";
    private static final Map<String, String> COMMON = Map.of(
            "400", "Invalid input (with `violations` naming the fields)",
            "401", "Missing, invalid or expired credentials",
            "403", "Your role does not allow this",
            "404", "No such resource",
            "409", "Conflicts with the current state",
            "500", "An unexpected failure; `detail` carries a reference to find it in the server's log",
            "503", "The database is unreachable");

    /** Logins, and the second factor's changes, are throttled per user and per address (see LoginThrottle). */
    private static final java.util.Set<String> THROTTLED = java.util.Set.of("/api/login", "/api/auth/login", "/auth/login",
            "/api/me/totp/confirm", "/api/me/totp/disable");

    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        for (var e : COMMON.entrySet()) {
            if (responses.getAPIResponse(e.getKey()) == null) {
                responses.addAPIResponse(e.getKey(), OASFactory.createAPIResponse().description(e.getValue())
                        .content(problemContent()));
            } else if (responses.getAPIResponse(e.getKey()).getContent() == null) {
                responses.getAPIResponse(e.getKey()).content(problemContent());
            }
        }
        // an error status an operation names without a body (502 of a scan, 429 of a search) is a problem too
        responses.getAPIResponses().forEach((status, response) -> {
            if (status.matches("[45]\\d\\d") && response.getContent() == null) {
                response.content(problemContent());
            }
        });
        if (operation.getRequestBody() != null && responses.getAPIResponse("415") == null) {
            responses.addAPIResponse("415", OASFactory.createAPIResponse()
                    .description("The body's content type is not one this operation reads").content(problemContent()));
        }
        return operation;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.components(OASFactory.createComponents());
        }
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            openAPI.getPaths().getPathItems().forEach((path, item) -> {
                if (THROTTLED.contains(path) && item.getPOST() != null) {
                    item.getPOST().getResponses().addAPIResponse("429", OASFactory.createAPIResponse()
                            .description("Too many failed logins for this user or address; retry after Retry-After seconds")
                            .addHeader("Retry-After", OASFactory.createHeader().description("Seconds to wait")
                                    .schema(OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.INTEGER))))
                            .content(problemContent()));
                }
            });
        }
        Schema violation = OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                .addProperty("field", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("message", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)));
        openAPI.getComponents().addSchema("ProblemViolation", violation);
        openAPI.getComponents().addSchema("TotpEnrolment", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                .addProperty("secret", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("otpauth_uri", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("qr_data_uri", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))));
        openAPI.getComponents().addSchema("Problem", OASFactory.createSchema()
                .type(java.util.List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details; never a stack trace, SQL or secret")
                .addProperty("type", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("title", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("status", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.INTEGER)))
                .addProperty("detail", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("instance", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("violations", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.ARRAY))
                        .items(OASFactory.createSchema().ref("#/components/schemas/ProblemViolation")))
                // the extension members in use (RFC 9457 section 3.2), each only on the problems that carry it
                .addProperty("held", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                        .description("A refused deployment: what holds it (kind, reason, until, environment)")
                        .additionalPropertiesSchema(OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))))
                .addProperty("totp_required", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.BOOLEAN))
                        .description("A 401 of a sign-in whose password was right: the second factor's code is needed"))
                .addProperty("totp_enrolment", OASFactory.createSchema().ref("#/components/schemas/TotpEnrolment")
                        .description("A 401 of a sign-in the policy requires a second factor for: the new secret to set up"))
                // the old tool's routes (/auth/*, /api/auth/*, /trigger) keep its members beside the problem's
                .addProperty("success", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.BOOLEAN))
                        .description("The old tool's routes: always false on a problem"))
                .addProperty("error", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))
                        .description("The old tool's routes: the detail again, under its old name"))
                .addProperty("valid", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.BOOLEAN))
                        .description("The old tool's token checks: always false on a problem"))
                .addProperty("authenticated", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.BOOLEAN))
                        .description("The old tool's /auth/status: false when nobody is signed in")));
    }

    private static Content problemContent() {
        return OASFactory.createContent().addMediaType(ProblemMapper.PROBLEM_JSON,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF)));
    }
}
