package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.AddressPolicy;
import io.triggerdeploy.common.Workers;

import java.net.InetAddress;
import java.util.List;

/**
 * Which addresses the CI issuers' key sets may be fetched from ({@code trigger.ci.allow-networks} / {@code deny-networks}):
 * by default nothing on loopback, link-local (cloud metadata), unspecified or multicast addresses, so that an issuer
 * cannot be pointed at the service's own network.
 */
@jakarta.inject.Singleton // no client proxy: the policy is immutable and its base class has no no-args constructor
public class CiAddressPolicy extends AddressPolicy {

    public CiAddressPolicy(CiConfig config) {
        super(config.allowNetworks().orElse(List.of()), config.denyNetworks(), "trigger.ci");
    }

    /** Resolves on a worker and checks every address; the caller connects to the one returned. */
    public Uni<InetAddress> checked(String host) {
        return Workers.run(() -> resolve(host));
    }
}
