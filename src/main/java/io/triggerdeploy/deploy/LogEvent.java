package io.triggerdeploy.deploy;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/** One log line as an SSE event payload. */
@RegisterForReflection
public record LogEvent(int line, OffsetDateTime at, String stream, String text) {
}
