package io.triggerdeploy.common;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * RFC 9457 problem details, the body of every error response. {@code held} (an extension member) says what holds a
 * refused deployment: kind, reason and until.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record Problem(String type, String title, int status, String detail, String instance, List<Violation> violations,
                      java.util.Map<String, String> held,
                      @com.fasterxml.jackson.annotation.JsonProperty("totp_required") Boolean totpRequired,
                      @com.fasterxml.jackson.annotation.JsonProperty("totp_enrolment") java.util.Map<String, String> totpEnrolment) {

    public Problem(String type, String title, int status, String detail, String instance, List<Violation> violations) {
        this(type, title, status, detail, instance, violations, null, null, null);
    }

    /** One rejected input field. */
    @RegisterForReflection
    public record Violation(String field, String message) {
    }
}
