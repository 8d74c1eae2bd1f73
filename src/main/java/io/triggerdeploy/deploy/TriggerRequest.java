package io.triggerdeploy.deploy;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.util.Map;

/**
 * Asks for a deployment of a server given by alias, host or id, with values for the parameters it declares
 * (and {@code REF}, the version, which every server accepts).
 */
public record TriggerRequest(@NotBlank @Size(max = 253) String server, @Size(max = 500) String note,
                             @Size(max = 60) Map<String, Object> parameters,
                             @Size(max = 500) @org.eclipse.microprofile.openapi.annotations.media.Schema(description =
                                     "Emergency bypass of the environment's approvals, freezes and deploy hours, where the "
                                     + "environment allows it: the reason (audited and notified)") String breakGlass) {

    /** Parameter values may be secrets: never printed. */
    @Override
    public String toString() {
        return "TriggerRequest[server=" + server + ", parameters=" + (parameters == null ? null : parameters.keySet()) + "]";
    }
}
