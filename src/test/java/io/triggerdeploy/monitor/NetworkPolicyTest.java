package io.triggerdeploy.monitor;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkPolicyTest {

    static final List<String> DEFAULT_DENY = List.of("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10", "0.0.0.0/8",
            "::/128", "224.0.0.0/4", "ff00::/8", "100.100.100.200/32");

    @Test
    void theDefaultDenyListKeepsChecksOffLoopbackAndCloudMetadata() throws Exception {
        NetworkPolicy p = new NetworkPolicy(List.of(), DEFAULT_DENY);
        assertThat(p.refusal(InetAddress.getByName("127.0.0.1"))).contains("127.0.0.0/8");
        assertThat(p.refusal(InetAddress.getByName("169.254.169.254"))).contains("169.254.0.0/16");
        assertThat(p.refusal(InetAddress.getByName("::1"))).isNotNull();
        assertThat(p.refusal(InetAddress.getByName("0.0.0.0"))).isNotNull();
        assertThat(p.refusal(InetAddress.getByName("192.0.2.10"))).isNull();
        assertThat(p.refusal(InetAddress.getByName("203.0.113.7"))).isNull();
        assertThat(p.refusal(InetAddress.getByName("2001:db8::1"))).isNull();
    }

    @Test
    void anAllowListReplacesTheDenyList() throws Exception {
        NetworkPolicy p = new NetworkPolicy(List.of("198.51.100.0/24", "192.0.2.0/25"), DEFAULT_DENY);
        assertThat(p.refusal(InetAddress.getByName("198.51.100.200"))).isNull();
        assertThat(p.refusal(InetAddress.getByName("192.0.2.77"))).isNull();
        assertThat(p.refusal(InetAddress.getByName("192.0.2.129"))).contains("outside the allowed networks");
        assertThat(p.refusal(InetAddress.getByName("203.0.113.7"))).isNotNull();
        assertThat(p.refusal(InetAddress.getByName("127.0.0.1"))).isNotNull();
    }

    @Test
    void badBlocksAreRejected() {
        assertThatThrownBy(() -> new NetworkPolicy(List.of("198.51.100.0/33"), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkPolicy(List.of("example.com/8"), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expectedStatusRanges() {
        assertThat(Checker.expected(null, 204)).isTrue();
        assertThat(Checker.expected("200-299", 302)).isFalse();
        assertThat(Checker.expected("200,301-302", 302)).isTrue();
        assertThat(Checker.expected("500", 500)).isTrue();
    }
}
