package io.triggerdeploy.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Deploy queue and runner settings ({@code trigger.deploy.*}). */
@ConfigMapping(prefix = "trigger.deploy")
public interface DeployConfig {

    /** Deployments this replica runs at once. */
    @WithDefault("4")
    @Min(0) @Max(64)
    int runners();

    /** How long a claim stays valid without renewal; the runner renews it every third of this. */
    @WithDefault("30s")
    Duration lease();

    /** How often each replica looks for expired leases and queued work it may have missed. */
    @WithDefault("5s")
    Duration pollInterval();

    /** How often each replica ends EXPIRED the deployments whose approval window has passed. */
    @WithDefault("15s")
    Duration approvalExpiryInterval();

    /** Log bytes kept per deployment; beyond it a truncation marker is written and output is dropped. */
    @WithDefault("10485760")
    @Min(1024)
    long logMaxBytes();

    /** Values masked as *** in stored output, besides the legacy deploy token. */
    Optional<List<String>> mask();

    /** The old tool's shared DEPLOY_TOKEN for {@code /trigger}; unset disables it (API tokens still work). */
    Optional<String> legacyToken();

    @WithDefault("30")
    @Min(1)
    int logRetentionDays();

    /** On shutdown, how long running deployments may take to finish before they are interrupted. */
    @WithDefault("20s")
    Duration shutdownGrace();

    /** Live log streams (SSE) one user may hold open on this replica at once; more get 429. */
    @WithDefault("20")
    @jakarta.validation.constraints.Min(1)
    int maxStreamsPerUser();

    /** Live log streams this replica serves at once; more get 429 (another replica may serve them). */
    @WithDefault("1000")
    @jakarta.validation.constraints.Min(1)
    int maxStreams();

    /**
     * Log searches one user may run at once on this replica; more get 429. A search holds a pooled connection while it
     * runs, so one viewer must not take the pool everyone shares.
     */
    @WithDefault("2")
    @jakarta.validation.constraints.Min(1)
    int maxSearchesPerUser();

    /** Log searches this replica runs at once, whoever asks (well below the pool's 20 connections); more get 429. */
    @WithDefault("4")
    @jakarta.validation.constraints.Min(1)
    int maxSearches();

    /** How long one log search may run in the database before it is cancelled (422: narrow it). */
    @WithDefault("10s")
    Duration searchTimeout();
}
