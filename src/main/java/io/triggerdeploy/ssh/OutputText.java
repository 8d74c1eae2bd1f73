package io.triggerdeploy.ssh;

import java.util.regex.Pattern;

/**
 * Makes a line of remote output safe to store and show: terminal escape sequences (ANSI CSI such as colours or
 * "clear screen", OSC such as window titles and hyperlinks, and other ESC sequences) are removed, and the remaining
 * control characters except tab become visible symbols (NUL becomes ␀, CR ␍, DEL ␡; C1 controls U+FFFD). PostgreSQL
 * cannot store NUL in text, and raw escapes in {@code /log} would drive the reader's terminal.
 */
public final class OutputText {

    /** CSI: ESC [ (or the 8-bit CSI U+009B), parameters, intermediates, one final byte. */
    private static final Pattern CSI = Pattern.compile("(?:\u001B\\[|\u009B)[0-?]*[ -/]*[@-~]");
    /** OSC: ESC ] (or U+009D) up to BEL or ST (ESC \ or U+009C), or to the end of the line when unterminated. */
    private static final Pattern OSC = Pattern.compile("(?:\u001B\\]|\u009D)[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\\\|\u009C)?");
    /** Other escapes: ESC with intermediates and a final byte (ESC ( B, ESC 7, ESC =, DCS/PM/APC openers). */
    private static final Pattern OTHER_ESC = Pattern.compile("\u001B[ -/]*[0-~]?");

    private OutputText() {
    }

    public static String clean(String line) {
        if (line == null || line.isEmpty()) {
            return line;
        }
        boolean plain = true;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return line; // the common case costs one scan
        }
        String s = line;
        if (s.indexOf('\u001B') >= 0 || s.indexOf('\u009B') >= 0 || s.indexOf('\u009D') >= 0) {
            s = OSC.matcher(s).replaceAll("");
            s = CSI.matcher(s).replaceAll("");
            s = OTHER_ESC.matcher(s).replaceAll("");
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t' || c >= 0x20 && c < 0x7f || c > 0x9f) {
                out.append(c);
            } else if (c < 0x20) {
                out.append((char) (0x2400 + c)); // Unicode control pictures: ␀ ␁ … ␟
            } else if (c == 0x7f) {
                out.append('\u2421');
            } else {
                out.append('\uFFFD');
            }
        }
        return out.toString();
    }
}
