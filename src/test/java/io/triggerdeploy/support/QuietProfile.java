package io.triggerdeploy.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * One application for the tests that need the service quieter or stricter than the default test settings: no deploy
 * runners and no polling (a test drives the queue's statements itself), and three failed sign-ins per address before
 * the address is throttled (a test that trips it clears the {@code login_throttle} table when it is done, so the other
 * classes sign in as usual). Shared so that they cost one start, not two.
 */
public class QuietProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("trigger.deploy.runners", "0", "trigger.deploy.poll-interval", "1h",
                "trigger.auth.rate-limit.max-failures-per-address", "3");
    }
}
