package io.triggerdeploy.ship;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests and benchmarks talk to this machine only: every IPv4 or IPv6 literal in {@code src/test} and {@code bench/}
 * is loopback (127.0.0.0/8, ::1). Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) and the network-policy parsing test's deny-list entries are listed below; none of them is ever
 * connected to.
 */
class LoopbackOnlyTest {

    private static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");
    /** Candidates with "::" or at least four colons between hex groups (times like 12:30:00 have two). */
    private static final Pattern IPV6 = Pattern.compile("(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\\w:])");

    /** Pure parsing tests of the policy (no connection is made) may name the addresses the policy refuses. */
    private static final Set<String> POLICY_SAMPLES = Set.of(v4(169, 254, 0, 0), v4(169, 254, 169, 254), v4(0, 0, 0, 0),
            v4(224, 0, 0, 0), v4(100, 100, 100, 200), "fe80::", "::", "ff00::");
    private static final Map<String, Set<String>> PARSING_ONLY = Map.of("NetworkPolicyTest.java", POLICY_SAMPLES,
            "LoopbackOnlyTest.java", Set.of("fe80::", "::", "ff00::")); // the list above, and "::" in its comments

    /** Addresses are assembled here, so that this file itself names none outside loopback. */
    private static String v4(int a, int b, int c, int d) {
        return a + "." + b + "." + c + "." + d;
    }

    @Test
    void noTestOrBenchmarkNamesAHostOutsideLoopback() throws IOException {
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        for (Path root : List.of(Path.of("src/test"), Path.of("bench"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).filter(LoopbackOnlyTest::isText).toList()) {
                    scanned++;
                    offenders.addAll(scan(f));
                }
            }
        }
        assertThat(scanned).as("files scanned").isGreaterThan(30);
        assertThat(offenders).as("addresses outside loopback in tests or benchmarks").isEmpty();
    }

    @Test
    void theScannerSeesWhatItLooksFor() {
        // the samples are assembled, so that this file itself names no address outside loopback
        String privateV4 = String.join(".", "10", "0", "0", "5");
        String publicV4 = String.join(".", "8", "8", "8", "8");
        String privateV6 = "fd00" + "::1";
        assertThat(findIn("x.java", "host = \"" + privateV4 + "\"; ok = \"127.0.0.9\"; t = \"12:30:00\""))
                .containsExactly("x.java: " + privateV4);
        assertThat(findIn("x.java", "ip = \"" + privateV6 + "\" or \"2001:db8::5\" or \"::1\"; String::valueOf"))
                .containsExactly("x.java: " + privateV6);
        assertThat(findIn("NetworkPolicyTest.java", "\"" + v4(169, 254, 169, 254) + "\" \"" + publicV4 + "\""))
                .containsExactly("NetworkPolicyTest.java: " + publicV4);
        assertThat(findIn("x.sh", "curl http://" + v4(192, 0, 2, 1) + "/ http://" + v4(198, 51, 100, 3) + " http://"
                + v4(203, 0, 113, 9))).isEmpty();
    }

    private static boolean isText(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".java") || n.endsWith(".sh") || n.endsWith(".py") || n.endsWith(".lua") || n.endsWith(".json")
                || n.endsWith(".properties") || n.endsWith(".yaml") || n.endsWith(".md") || !n.contains(".");
    }

    private static List<String> scan(Path f) throws IOException {
        return findIn(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
    }

    static List<String> findIn(String fileName, String text) {
        Set<String> allowed = PARSING_ONLY.getOrDefault(fileName, Set.of());
        List<String> found = new ArrayList<>();
        Matcher m = IPV4.matcher(text);
        while (m.find()) {
            String ip = m.group();
            int a = Integer.parseInt(m.group(1));
            if (a > 255 || Integer.parseInt(m.group(2)) > 255 || Integer.parseInt(m.group(3)) > 255
                    || Integer.parseInt(m.group(4)) > 255) {
                continue; // not an address (a version number or the like)
            }
            boolean ok = a == 127 || ip.startsWith("192.0.2.") || ip.startsWith("198.51.100.") || ip.startsWith("203.0.113.")
                    || allowed.contains(ip);
            if (!ok) {
                found.add(fileName + ": " + ip);
            }
        }
        Matcher v6 = IPV6.matcher(text);
        while (v6.find()) {
            String ip = v6.group();
            long colons = ip.chars().filter(c -> c == ':').count();
            if (!ip.contains("::") && colons < 4) {
                continue;
            }
            String lower = ip.toLowerCase(java.util.Locale.ROOT);
            boolean ok = lower.equals("::1") || lower.startsWith("2001:db8:") || allowed.contains(lower);
            if (!ok) {
                found.add(fileName + ": " + ip);
            }
        }
        return found;
    }
}
