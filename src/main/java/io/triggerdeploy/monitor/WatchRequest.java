package io.triggerdeploy.monitor;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A watched service as an admin writes it. {@code target}: an http(s) URL for kind {@code http}, {@code host:port}
 * for {@code tcp}. {@code expected_statuses}: e.g. {@code 200-299} (default) or {@code 200,204,301}.
 * {@code slow_ms}: answers slower than this count as DEGRADED. {@code server}: id, alias or host of a server whose
 * deployments trigger a check. On update, absent fields stay as they are.
 */
@io.quarkus.runtime.annotations.RegisterForReflection
@Schema(name = "ServiceRequest") // the API document keeps its schema names
public record WatchRequest(
        @Size(min = 1, max = 100) String name,
        @Pattern(regexp = "http|tcp", message = "must be http or tcp") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 4) String kind,
        @Size(min = 1, max = 2000) String target,
        @Pattern(regexp = "\\d{3}(-\\d{3})?(,\\d{3}(-\\d{3})?)*", message = "must be codes or ranges like 200-299,301") @Size(max = 200) String expectedStatuses,
        @Size(max = 500) String bodyContains,
        @Min(10) @Max(86400) Integer intervalSeconds,
        @Min(100) @Max(60000) Integer timeoutMs,
        @Min(1) @Max(60000) Integer slowMs,
        @Size(max = 253) String server,
        @Size(max = 1000) String description,
        Boolean active) {
}
