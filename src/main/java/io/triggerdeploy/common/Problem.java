package io.triggerdeploy.common;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** RFC 9457 problem details, the body of every error response. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record Problem(String type, String title, int status, String detail, String instance, List<Violation> violations) {

    /** One rejected input field. */
    @RegisterForReflection
    public record Violation(String field, String message) {
    }
}
