package io.triggerdeploy.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.triggerdeploy.db.DbErrors;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The single place where exceptions become {@code application/problem+json} responses.
 * Only unexpected failures (5xx) are logged at ERROR, with an id the client also sees; bodies never
 * carry stack traces, SQL or secrets.
 */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public RestResponse<Problem> problem(ProblemException e, UriInfo uri) {
        Problem p = body(e.status(), e.title(), e.getMessage(), uri, e.violations());
        if (!e.extensions().isEmpty()) {
            p = new Problem(p.type(), p.title(), p.status(), p.detail(), p.instance(), p.violations(), e.extensions());
        }
        RestResponse.ResponseBuilder<Problem> b = builder(e.status(), p)
                .type(MediaType.valueOf(PROBLEM_JSON));
        e.headers().forEach(b::header);
        return b.build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> validation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new Problem.Violation(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.Violation::field))
                .toList();
        String detail = violations.isEmpty() ? "The request is invalid"
                : violations.stream().map(v -> v.field() + ": " + v.message()).reduce((a, b) -> a + "; " + b).orElse("");
        return respond(400, "Bad Request", detail, uri, violations);
    }

    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class})
    public RestResponse<Problem> json(Exception e, UriInfo uri) {
        return respond(400, "Bad Request", "The request body is not valid JSON for this endpoint", uri, null);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unauthorized(UnauthorizedException e, UriInfo uri) {
        return builder(401, body(401, "Unauthorized", "Authentication is required", uri, null))
                .type(MediaType.valueOf(PROBLEM_JSON)).header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> authFailed(AuthenticationFailedException e, UriInfo uri) {
        return builder(401, body(401, "Unauthorized", "The credentials are invalid or expired", uri, null))
                .type(MediaType.valueOf(PROBLEM_JSON)).header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> forbidden(ForbiddenException e, UriInfo uri) {
        return respond(403, "Forbidden", "Your role does not allow this action", uri, null);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri);
        }
        if (e.getCause() instanceof JsonProcessingException) {
            return respond(400, "Bad Request", "The request body is not valid JSON for this endpoint", uri, null);
        }
        if (e.getCause() instanceof ProblemException p) {
            return problem(p, uri); // a parameter converter's refusal (StrictParameters), naming the parameter
        }
        // JAX-RS answers 404 when a query parameter cannot be converted (limit=abc); that is bad input, not a missing resource
        if (status == 404 && e.getCause() instanceof IllegalArgumentException && !uri.getQueryParameters().isEmpty()) {
            return respond(400, "Bad Request", "A query parameter has a value of the wrong type (a number was expected)", uri, null);
        }
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        String detail = switch (status) {
            case 404 -> "No such resource";
            case 405 -> "Method not allowed on this resource";
            case 406 -> "Cannot produce the requested media type";
            case 415 -> "Unsupported media type; send application/json";
            default -> title;
        };
        RestResponse.ResponseBuilder<Problem> b = builder(status, body(status, title, detail, uri, null))
                .type(MediaType.valueOf(PROBLEM_JSON));
        // 405 says which methods the resource has (RFC 9110 section 15.5.6); the runtime raises it without them
        String allow = e.getResponse().getHeaderString("Allow");
        if (allow == null && status == 405 && uri != null) {
            allow = AllowedMethods.at(uri.getPath());
        }
        if (allow != null) {
            b.header("Allow", allow);
        }
        return b.build();
    }

    @ServerExceptionMapper(priority = 10_000)
    public RestResponse<Problem> unexpected(Throwable e, UriInfo uri) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ProblemException p) {
                return problem(p, uri);
            }
        }
        // what PostgreSQL said, through the reactive client or through Hibernate: one mapping for both
        String state = DbErrors.firstSqlState(e);
        boolean unique = "23505".equals(state) || hibernateConstraint(e, org.hibernate.exception.ConstraintViolationException.ConstraintKind.UNIQUE);
        if (unique) {
            // a concurrent request won a unique-constraint race
            return respond(409, "Conflict", "The resource already exists", uri, null);
        }
        if ("22021".equals(state) || "22P05".equals(state) || "22001".equals(state)) {
            // NUL characters or over-long values that slipped past validation: the input, not the server, is wrong
            return respond(400, "Bad Request", "The request contains characters or lengths the database cannot store "
                    + "(such as U+0000)", uri, null);
        }
        if ("23503".equals(state) || hibernateConstraint(e, org.hibernate.exception.ConstraintViolationException.ConstraintKind.FOREIGN_KEY)) {
            return respond(409, "Conflict", "Other records (such as deployments) still refer to it; deactivate it instead", uri, null);
        }
        if (DbErrors.isUnavailable(e)) {
            return RestResponse.ResponseBuilder.<Problem>create(503)
                    .entity(body(503, "Service Unavailable", "The database is unreachable; try again shortly", uri, null))
                    .type(MediaType.valueOf(PROBLEM_JSON)).header("Retry-After", "5").build();
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", id, uri == null ? "?" : uri.getPath());
        return respond(500, "Internal Server Error", "Unexpected error; reference " + id, uri, null);
    }

    private static boolean hibernateConstraint(Throwable e, org.hibernate.exception.ConstraintViolationException.ConstraintKind kind) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof org.hibernate.exception.ConstraintViolationException cv && cv.getKind() == kind) {
                return true;
            }
        }
        return false;
    }

    /**
     * A problem response for code that answers before or outside a resource method (request filters): the same
     * body and media type as the mapped exceptions, plus any headers (e.g. {@code Retry-After}).
     */
    public static RestResponse<Problem> response(int status, String title, String detail, String instance,
                                                 java.util.Map<String, String> headers) {
        var b = builder(status, new Problem("about:blank", title, status, detail, instance, null)).type(MediaType.valueOf(PROBLEM_JSON));
        headers.forEach(b::header);
        return b.build();
    }

    /** The JSON of a problem body, for plain Vert.x routes that have no JAX-RS writer. */
    public static String json(int status, String title, String detail, String instance) {
        return io.vertx.core.json.Json.encode(new Problem("about:blank", title, status, detail, instance, null));
    }

    private static RestResponse.ResponseBuilder<Problem> builder(int status, Problem problem) {
        return RestResponse.ResponseBuilder.<Problem>create(status).entity(problem);
    }

    static Problem body(int status, String title, String detail, UriInfo uri, List<Problem.Violation> violations) {
        return new Problem("about:blank", title, status, detail, uri == null ? null : uri.getPath(), violations);
    }

    private static RestResponse<Problem> respond(int status, String title, String detail, UriInfo uri,
                                                 List<Problem.Violation> violations) {
        return builder(status, body(status, title, detail, uri, violations))
                .type(MediaType.valueOf(PROBLEM_JSON)).build();
    }

    private static String field(ConstraintViolation<?> v) {
        // "login.req.password" -> "password": the client knows its JSON fields, not our method names
        String path = v.getPropertyPath().toString();
        String[] parts = path.split("\\.");
        if (parts.length >= 3) {
            return snake(String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)));
        }
        return parts.length == 2 ? "body" : snake(path);
    }

    private static String snake(String s) {
        return s.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
