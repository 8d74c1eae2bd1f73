package io.triggerdeploy.analytics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Release insight ({@code trigger.insight.*}): where the four keys draw their lines. */
@ConfigMapping(prefix = "trigger.insight")
public interface InsightConfig {

    /**
     * A successful deployment counts as a change failure when, within this time after it ended, its server got a
     * rollback or a deployment of an earlier version, or a watched service of its server went DOWN; a DOWN within it is
     * also an incident whose time to restore is counted.
     */
    @WithDefault("24h")
    Duration failureWindow();
}
