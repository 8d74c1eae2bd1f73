package io.triggerdeploy.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.Optional;

/** Notification settings ({@code trigger.notify.*}). */
@ConfigMapping(prefix = "trigger.notify")
public interface NotifyConfig {

    /** The address people open the service at (e.g. https://deploy.example.com), for links in messages. */
    Optional<String> publicUrl();

    /** Attempts per message and channel (the first one included); 2 s, then 8 s, ... between them. */
    @WithDefault("3")
    @Min(1) @Max(10)
    int attempts();

    /** Timeout of one HTTP call or SMTP conversation. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * Networks channels may reach (CIDR list). When set, only these are allowed and the deny list is not used; when
     * unset, everything but {@link #denyNetworks()} is allowed.
     */
    Optional<java.util.List<String>> allowNetworks();

    /** Networks channels may not reach unless an allow list is set: loopback, link-local (cloud metadata), unspecified, multicast. */
    @WithDefault("127.0.0.0/8,::1/128,169.254.0.0/16,fe80::/10,0.0.0.0/8,::/128,224.0.0.0/4,ff00::/8,100.100.100.200/32")
    java.util.List<String> denyNetworks();

    /** Log lines included in a "deployment failed" message. */
    @WithDefault("20")
    @Min(0) @Max(200)
    int failedLogLines();
}
