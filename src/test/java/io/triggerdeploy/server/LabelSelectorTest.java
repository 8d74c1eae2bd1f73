package io.triggerdeploy.server;

import io.triggerdeploy.common.ProblemException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a selector matches, and the selectors that are refused with the reason. */
class LabelSelectorTest {

    private static final Map<String, String> WEB_EU = Map.of("role", "web", "region", "eu", "tier", "a");
    private static final Map<String, String> WEB_US = Map.of("role", "web", "region", "us");
    private static final Map<String, String> WORKER = Map.of("role", "worker", "canary", "yes");
    private static final Map<String, String> NONE = Map.of();

    private static List<Map<String, String>> matching(String selector) {
        LabelSelector s = LabelSelector.parse(selector, "selector");
        return List.of(WEB_EU, WEB_US, WORKER, NONE).stream().filter(s::matches).toList();
    }

    @Test
    void termsAllHold() {
        assertThat(matching("role=web")).containsExactly(WEB_EU, WEB_US);
        assertThat(matching("role==web, region=eu")).containsExactly(WEB_EU);
        assertThat(matching(" role = web ,region!=us")).containsExactly(WEB_EU);
        // a server without the label is not "us" either
        assertThat(matching("region!=us")).containsExactly(WEB_EU, WORKER, NONE);
        assertThat(matching("region in (eu, us)")).containsExactly(WEB_EU, WEB_US);
        assertThat(matching("region notin (us),role")).containsExactly(WEB_EU, WORKER);
        assertThat(matching("canary")).containsExactly(WORKER);
        assertThat(matching("!canary,role")).containsExactly(WEB_EU, WEB_US);
        assertThat(matching("tier in (a),region in (eu,us),role=web")).containsExactly(WEB_EU);
    }

    @Test
    void aBadSelectorIsRefusedNamingItsField() {
        for (String bad : List.of("", "  ", "role=", "=web", "Role=web", "role=web app", "role in (a,,b)", "role in (a",
                "role in a,b)", "role=web,,region=eu", ",role=web", "role=$(id)", "role in ((a))", "x".repeat(501))) {
            assertThatThrownBy(() -> LabelSelector.parse(bad, "selector")).as("'%s'", bad)
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.violations()).extracting("field").containsExactly("selector");
                    });
        }
        StringBuilder many = new StringBuilder("k0");
        for (int i = 1; i <= LabelSelector.MAX_TERMS; i++) {
            many.append(",k").append(i);
        }
        assertThatThrownBy(() -> LabelSelector.parse(many.toString(), "selector")).hasMessageContaining("terms");
    }
}
