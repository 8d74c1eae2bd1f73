package io.triggerdeploy.db;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings for reaching and preparing the database at startup ({@code trigger.db.*}). */
@ConfigMapping(prefix = "trigger.db")
public interface DbConfig {

    /** How long startup waits for PostgreSQL before the process gives up and exits non-zero. */
    @WithDefault("60s")
    Duration startupTimeout();

    /** Longest pause between two connection attempts while waiting for the database. */
    @WithDefault("5s")
    Duration maxRetryInterval();

    /** How long the readiness probe waits for its {@code SELECT 1}. */
    @WithDefault("2s")
    Duration healthTimeout();
}
