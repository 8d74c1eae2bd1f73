package io.triggerdeploy.support;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Debian's oathtool as an authenticator app: the TOTP code of a base32 secret at a time relative to now. */
public final class Oathtool {

    private Oathtool() {
    }

    public static String code(String secret, int offsetSeconds) throws Exception {
        Process p = new ProcessBuilder("oathtool", "--totp", "-b", "-N", "now + " + offsetSeconds + " seconds", secret)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).matches("\\d{6}");
        return out;
    }
}
