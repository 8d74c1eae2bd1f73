package io.triggerdeploy.schedule;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How often each replica looks for due scheduled runs, and how late a run may start before it counts as missed. */
@ConfigMapping(prefix = "trigger.schedule")
public interface ScheduleConfig {

    /** Every replica looks for due schedules this often (the accuracy of a scheduled run). */
    @WithDefault("2s")
    Duration tick();

    /** A run found due longer ago than this was missed (the service was down): skipped unless catch_up is last. */
    @WithDefault("2m")
    Duration grace();
}
