package io.triggerdeploy.monitor;

import io.triggerdeploy.common.AddressPolicy;

import java.util.List;

/** Which addresses service checks may reach ({@code trigger.monitor.allow-networks} / {@code deny-networks}). */
@jakarta.inject.Singleton // no client proxy: the policy is immutable and its base class has no no-args constructor
public class NetworkPolicy extends AddressPolicy {

    @jakarta.inject.Inject
    public NetworkPolicy(MonitorConfig config) {
        super(config.allowNetworks().orElse(List.of()), config.denyNetworks(), "trigger.monitor");
    }

    NetworkPolicy(List<String> allow, List<String> deny) {
        super(allow, deny, "trigger.monitor");
    }
}
