package io.triggerdeploy.monitor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Service monitor settings ({@code trigger.monitor.*}). */
@ConfigMapping(prefix = "trigger.monitor")
public interface MonitorConfig {

    /** Whether this replica runs scheduled checks (every replica may; each check still runs once). */
    @WithDefault("true")
    boolean enabled();

    /** How often a replica looks for due checks. */
    @WithDefault("2s")
    Duration tick();

    /**
     * Networks checks may reach (CIDR list). When set, only these are allowed and the deny list is not used;
     * when unset, everything but {@link #denyNetworks()} is allowed.
     */
    Optional<List<String>> allowNetworks();

    /** Networks checks may not reach unless an allow list is set: loopback, link-local (cloud metadata), unspecified, multicast. */
    @WithDefault("127.0.0.0/8,::1/128,169.254.0.0/16,fe80::/10,0.0.0.0/8,::/128,224.0.0.0/4,ff00::/8,100.100.100.200/32")
    List<String> denyNetworks();

    /** Redirects an HTTP check follows (each target checked against the networks above). */
    @WithDefault("3")
    @Min(0) @Max(10)
    int maxRedirects();

    /** Check results older than this many days are deleted. */
    @WithDefault("30")
    @Min(1)
    int retentionDays();

    /** After a down or recovered message for a service, no other one for it within this time (flapping). */
    @WithDefault("10m")
    Duration notifyCooldown();

    /** How often each active server's SSH port and host key are checked; 0 switches it off. */
    @WithDefault("5m")
    Duration serverInterval();
}
