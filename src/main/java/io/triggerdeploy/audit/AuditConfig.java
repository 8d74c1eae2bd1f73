package io.triggerdeploy.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/** Audit trail settings ({@code trigger.audit.*}). */
@ConfigMapping(prefix = "trigger.audit")
public interface AuditConfig {

    /** Audit records older than this many days are deleted. */
    @WithDefault("365")
    @Min(1)
    int retentionDays();
}
