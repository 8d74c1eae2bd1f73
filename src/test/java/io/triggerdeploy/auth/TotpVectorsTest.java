package io.triggerdeploy.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6238 Appendix B (eight digits, three digests) and the base32 of RFC 4648 section 10. */
class TotpVectorsTest {

    static final byte[] SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SHA512 = "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

    @Test
    void appendixB() {
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[] sha1 = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
        String[] sha256 = {"46119246", "68084774", "67062674", "91819424", "90698825", "77737706"};
        String[] sha512 = {"90693936", "25091201", "99943326", "93441116", "38618901", "47863826"};
        for (int i = 0; i < times.length; i++) {
            long step = Totp.step(times[i]);
            assertThat(Totp.code(SHA1, step, 8, "HmacSHA1")).as("SHA1 at %d", times[i]).isEqualTo(sha1[i]);
            assertThat(Totp.code(SHA256, step, 8, "HmacSHA256")).as("SHA256 at %d", times[i]).isEqualTo(sha256[i]);
            assertThat(Totp.code(SHA512, step, 8, "HmacSHA512")).as("SHA512 at %d", times[i]).isEqualTo(sha512[i]);
        }
    }

    @Test
    void aSixDigitCodeMatchesOneStepEitherSideOnly() {
        long now = Totp.step(1111111109L);
        String code = Totp.code(SHA1, now, 6, "HmacSHA1");
        assertThat(Totp.match(SHA1, code, now)).hasValue(now);
        assertThat(Totp.match(SHA1, code, now + 1)).hasValue(now);
        assertThat(Totp.match(SHA1, code, now - 1)).hasValue(now);
        assertThat(Totp.match(SHA1, code, now + 2)).isEmpty();
        assertThat(Totp.match(SHA1, "12345", now)).isEmpty();
        assertThat(Totp.match(SHA1, "abcdef", now)).isEmpty();
        assertThat(Totp.match(SHA1, null, now)).isEmpty();
    }

    @Test
    void base32BothWays() {
        assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(Totp.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
        assertThat(new String(Totp.fromBase32("mzxw 6ytb-oi======"), StandardCharsets.US_ASCII)).isEqualTo("foobar");
        assertThat(Totp.fromBase32("MZ1W")).isNull();
        assertThat(Totp.fromBase32(Totp.base32(SHA512))).isEqualTo(SHA512);
        assertThat(Totp.uri("trigger-deploy", "alice@example", SHA1))
                .isEqualTo("otpauth://totp/trigger-deploy:alice%40example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                        + "&issuer=trigger-deploy&algorithm=SHA1&digits=6&period=30");
    }
}
