package io.triggerdeploy.ssh;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a byte stream into lines: split on LF (a trailing CR is dropped), decoded as UTF-8 with invalid
 * bytes replaced by U+FFFD, lines longer than the limit cut into several, and terminal escapes and control
 * characters made harmless ({@link OutputText}): every line of output passes through here before it is stored.
 */
final class LineSplitter extends OutputStream {

    private final LineSink sink;
    private final LineSink.Stream stream;
    private final int maxBytes;
    /** The bytes of the line so far ({@code count} of them); reused from line to line. */
    private byte[] buffer = new byte[256];
    private int count;

    LineSplitter(LineSink sink, LineSink.Stream stream, int maxBytes) {
        this.sink = sink;
        this.stream = stream;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Takes a piece of output as it came off the channel: whole runs between line feeds are copied at once. */
    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int end = off + len;
        int from = off;
        while (from < end) {
            int lf = from;
            while (lf < end && b[lf] != '\n') {
                lf++;
            }
            append(b, from, lf);
            if (lf == end) {
                return;
            }
            emit(false);
            from = lf + 1;
        }
    }

    @Override
    public synchronized void close() {
        if (count > 0) {
            emit(false);
        }
    }

    /** Adds bytes of the current line; a line that reaches the limit is handed on in pieces of at most the limit. */
    private void append(byte[] b, int from, int to) {
        while (from < to) {
            int n = Math.min(to - from, Math.max(1, maxBytes - count));
            if (count + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(count + n, Math.min(buffer.length * 2, maxBytes + 4)));
            }
            System.arraycopy(b, from, buffer, count, n);
            count += n;
            from += n;
            if (count >= maxBytes) {
                emit(true);
            }
        }
    }

    /** A whole line, or (cut) the first part of a long one, ending before a character whose bytes are incomplete. */
    private void emit(boolean cut) {
        int len = count;
        int keep = 0;
        if (cut) {
            keep = incompleteTail(buffer, len);
            if (keep > 0 && keep < len) {
                len -= keep;
            } else {
                keep = 0;
            }
        } else if (len > 0 && buffer[len - 1] == '\r') {
            len--;
        }
        String text = decode(buffer, len);
        if (keep > 0) {
            System.arraycopy(buffer, len, buffer, 0, keep); // the start of the character goes on with the next piece
        }
        count = keep;
        sink.line(stream, OutputText.clean(text), cut);
    }

    /** How many bytes at the end start a UTF-8 character that is not complete yet (0 when none). */
    static int incompleteTail(byte[] bytes, int len) {
        for (int back = 1; back <= Math.min(3, len); back++) {
            int b = bytes[len - back] & 0xff;
            if ((b & 0xC0) == 0x80) {
                continue; // a continuation byte: look further back for the lead
            }
            int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return need > back ? back : 0;
        }
        return 0;
    }

    /** UTF-8, every malformed sequence replaced by U+FFFD (what the String constructor does for UTF-8). */
    static String decode(byte[] bytes, int len) {
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
    }
}
