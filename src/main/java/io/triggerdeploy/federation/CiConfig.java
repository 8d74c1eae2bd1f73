package io.triggerdeploy.federation;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** CI identity federation ({@code trigger.ci.*}): where the trusted CI issuers' key sets may be fetched from, and how. */
@ConfigMapping(prefix = "trigger.ci")
public interface CiConfig {

    /**
     * Networks the CI issuers' key sets may be fetched from (CIDR list). When set, only these are allowed and the deny
     * list is not used; when unset, everything but {@link #denyNetworks()} is allowed.
     */
    Optional<List<String>> allowNetworks();

    /** Networks the key sets may not come from unless an allow list is set: loopback, link-local (cloud metadata), unspecified, multicast. */
    @WithDefault("127.0.0.0/8,::1/128,169.254.0.0/16,fe80::/10,0.0.0.0/8,::/128,224.0.0.0/4,ff00::/8,100.100.100.200/32")
    List<String> denyNetworks();

    /** Timeout of one key-set fetch. */
    @WithDefault("10s")
    Duration timeout();

    /** How long fetched keys are used before they are fetched again (a token naming an unknown key fetches them sooner). */
    @WithDefault("1h")
    Duration keysTtl();
}
