package io.triggerdeploy.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * One parameter a server's deployments take.
 *
 * @param name     {@code [A-Z][A-Z0-9_]*}: the environment variable the deploy command sees
 * @param type     {@code string}, {@code choice}, {@code boolean}, {@code integer} or {@code secret}
 * @param fallback the value used when a trigger gives none ({@code default} in JSON); never for secrets
 * @param pattern  a regular expression a {@code string} or {@code secret} value must match whole
 * @param choices  the values a {@code choice} takes
 * @param min      the smallest {@code integer}
 * @param max      the largest {@code integer}
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParameterSpec(String name, String label, String type, Boolean required,
                            @JsonProperty("default") Object fallback, String pattern, List<String> choices, Long min,
                            Long max, String description) {

    public static final List<String> TYPES = List.of("string", "choice", "boolean", "integer", "secret");

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isRequired() {
        return Boolean.TRUE.equals(required);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSecret() {
        return "secret".equals(type);
    }
}
