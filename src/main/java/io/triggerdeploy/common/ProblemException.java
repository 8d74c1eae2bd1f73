package io.triggerdeploy.common;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An expected failure with the HTTP status and problem details a client should see. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final Map<String, String> headers;
    private final java.util.List<Problem.Violation> violations;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, Map.of());
    }

    public ProblemException(int status, String title, String detail, Map<String, String> headers) {
        this(status, title, detail, headers, null);
    }

    private ProblemException(int status, String title, String detail, Map<String, String> headers,
                             java.util.List<Problem.Violation> violations) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.headers = headers;
        this.violations = violations;
    }

    /** 400 naming the field and why it was refused. */
    public static ProblemException invalid(String field, String message) {
        return new ProblemException(400, "Bad Request", field + ": " + message, Map.of(),
                java.util.List.of(new Problem.Violation(field, message)));
    }

    /**
     * The same problem with an RFC 9457 extension member ({@code held}, {@code totp_required}, ...), written beside the
     * standard members; list a new one on {@link Problem}'s schema for the API document.
     */
    public ProblemException with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    public Map<String, Object> extensions() {
        return Collections.unmodifiableMap(extensions);
    }

    public java.util.List<Problem.Violation> violations() {
        return violations;
    }

    /**
     * 409 for a request that is right but this installation is not set up for (a setting is missing): naming the field
     * it concerns and what an admin must configure. Not a 400: the caller did nothing wrong.
     */
    public static ProblemException notConfigured(String field, String message) {
        return new ProblemException(409, "Conflict", field + ": " + message, Map.of(),
                java.util.List.of(new Problem.Violation(field, message)));
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "Forbidden", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail, Map.of("WWW-Authenticate", "Bearer"));
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "Service Unavailable", detail, Map.of("Retry-After", "5"));
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
