package io.triggerdeploy.common;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/**
 * RFC 9457 problem details, the body of every error response. A feature that needs to say more adds an extension member
 * (RFC 9457 section 3.2) to {@code extensions}, written beside the standard members; the ones in use are listed in the API
 * document's Problem schema ({@link ProblemResponsesFilter}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record Problem(String type, String title, int status, String detail, String instance, List<Violation> violations,
                      @JsonIgnore Map<String, Object> extensions) {

    public Problem(String type, String title, int status, String detail, String instance, List<Violation> violations) {
        this(type, title, status, detail, instance, violations, Map.of());
    }

    /** The extension members, written as members of the problem itself. */
    @JsonAnyGetter
    public Map<String, Object> members() {
        return extensions == null ? Map.of() : extensions;
    }

    /** One rejected input field. */
    @RegisterForReflection
    public record Violation(String field, String message) {
    }
}
