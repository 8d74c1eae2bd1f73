package io.triggerdeploy.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** A channel as the API shows it: never the secret, only whether one is set. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelView(long id, String name, String kind, Map<String, Object> settings, List<String> events, boolean active,
                          boolean hasSecret, OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime lastSentAt,
                          String lastError) {
}
