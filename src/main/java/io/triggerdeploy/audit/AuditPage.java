package io.triggerdeploy.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** One page of the audit trail, newest first; pass {@code next_cursor} as {@code cursor} for the next. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditPage(List<AuditEvent> items, Long nextCursor) {
}
