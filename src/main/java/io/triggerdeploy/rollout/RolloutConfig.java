package io.triggerdeploy.rollout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Rollout settings ({@code trigger.rollout.*}). */
@ConfigMapping(prefix = "trigger.rollout")
public interface RolloutConfig {

    /**
     * How often each replica looks at the running rollouts (a host that ends on this replica wakes it at once; one that
     * ends on another replica, or a soak or freeze that ends, is seen within this interval).
     */
    @WithDefault("1s")
    Duration pollInterval();
}
