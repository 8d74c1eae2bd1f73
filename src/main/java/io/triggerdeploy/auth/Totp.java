package io.triggerdeploy.auth;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): 30-second steps from the Unix epoch, six digits,
 * HMAC-SHA1 for what authenticator apps do; the other digests and lengths for the RFC's test vectors. Base32 (RFC
 * 4648, no padding) for secrets as people type or scan them.
 */
public final class Totp {

    public static final int STEP_SECONDS = 30;
    public static final int DIGITS = 6;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Totp() {
    }

    /** The step an instant falls in. */
    public static long step(long epochSeconds) {
        return Math.floorDiv(epochSeconds, STEP_SECONDS);
    }

    /** The code of {@code step}: {@code digits} decimal digits, with leading zeros. */
    public static String code(byte[] secret, long step, int digits, String hmac) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(secret, hmac));
            byte[] h = mac.doFinal(new byte[]{(byte) (step >>> 56), (byte) (step >>> 48), (byte) (step >>> 40), (byte) (step >>> 32),
                    (byte) (step >>> 24), (byte) (step >>> 16), (byte) (step >>> 8), (byte) step});
            int offset = h[h.length - 1] & 0x0f;
            int binary = (h[offset] & 0x7f) << 24 | (h[offset + 1] & 0xff) << 16 | (h[offset + 2] & 0xff) << 8 | (h[offset + 3] & 0xff);
            long mod = 1;
            for (int i = 0; i < digits; i++) {
                mod *= 10;
            }
            String s = Long.toString(binary % mod);
            return "0".repeat(digits - s.length()) + s;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " is not available", e);
        }
    }

    /**
     * The step (within one step either side of {@code now}) whose six-digit SHA-1 code is {@code presented}; empty when
     * none matches. Every candidate is computed and compared in constant time.
     */
    public static OptionalLong match(byte[] secret, String presented, long now) {
        if (presented == null || !presented.matches("\\d{" + DIGITS + "}")) {
            return OptionalLong.empty();
        }
        long found = Long.MIN_VALUE;
        for (long s = now - 1; s <= now + 1; s++) {
            if (MessageDigest.isEqual(code(secret, s, DIGITS, "HmacSHA1").getBytes(StandardCharsets.US_ASCII),
                    presented.getBytes(StandardCharsets.US_ASCII)) && found == Long.MIN_VALUE) {
                found = s;
            }
        }
        return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
    }

    public static String base32(byte[] data) {
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = buffer << 8 | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(BASE32.charAt(buffer >>> (bits - 5) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(BASE32.charAt(buffer << (5 - bits) & 31));
        }
        return sb.toString();
    }

    /** Base32 as people type it: any case, spaces and dashes ignored, padding optional; null for anything else. */
    public static byte[] fromBase32(String text) {
        String s = text.replaceAll("[\\s-]", "").replaceAll("=+$", "").toUpperCase(Locale.ROOT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : s.toCharArray()) {
            int v = BASE32.indexOf(c);
            if (v < 0) {
                return null;
            }
            buffer = buffer << 5 | v;
            bits += 5;
            if (bits >= 8) {
                out.write(buffer >>> (bits - 8) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    /** The {@code otpauth://} URI authenticator apps read (from a QR code or pasted). */
    public static String uri(String issuer, String account, byte[] secret) {
        String label = enc(issuer) + ":" + enc(account);
        return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer=" + enc(issuer)
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
    }

    /** A QR code of {@code text} as an SVG image in a data: URI (error correction M, a four-module quiet zone). */
    public static String qrDataUri(String text) {
        try {
            com.google.zxing.common.BitMatrix m = new com.google.zxing.qrcode.QRCodeWriter().encode(text,
                    com.google.zxing.BarcodeFormat.QR_CODE, 0, 0, java.util.Map.of(
                            com.google.zxing.EncodeHintType.ERROR_CORRECTION, com.google.zxing.qrcode.decoder.ErrorCorrectionLevel.M,
                            com.google.zxing.EncodeHintType.MARGIN, 4));
            StringBuilder path = new StringBuilder();
            for (int y = 0; y < m.getHeight(); y++) {
                for (int x = 0; x < m.getWidth(); x++) {
                    if (m.get(x, y)) {
                        path.append('M').append(x).append(' ').append(y).append("h1v1h-1z");
                    }
                }
            }
            String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + m.getWidth() + " " + m.getHeight()
                    + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                    + "<path fill=\"#000\" d=\"" + path + "\"/></svg>";
            return "data:image/svg+xml;base64," + java.util.Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
        } catch (com.google.zxing.WriterException e) {
            throw new IllegalStateException("QR code could not be made", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
