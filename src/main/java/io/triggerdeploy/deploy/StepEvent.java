package io.triggerdeploy.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/** A step of a run changed state: the SSE {@code step} event's payload; {@code line} is its marker line in the log. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepEvent(int line, OffsetDateTime at, String step, String state, String detail) {
}
