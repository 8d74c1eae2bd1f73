package io.triggerdeploy.ci;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * CI identity federation ({@code trigger.ci.*}): how the trusted CI issuers' key sets are fetched (where from is the
 * notifications' address policy, {@code trigger.notify.allow-networks} / {@code deny-networks}).
 */
@ConfigMapping(prefix = "trigger.ci")
public interface CiConfig {

    /** Timeout of one key-set fetch. */
    @WithDefault("10s")
    Duration timeout();

    /** How long fetched keys are used before they are fetched again (a token naming an unknown key fetches them sooner). */
    @WithDefault("1h")
    Duration keysTtl();
}
