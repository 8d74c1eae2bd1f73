package io.triggerdeploy.ssh;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a byte stream into lines: split on LF (a trailing CR is dropped), decoded as UTF-8 with invalid
 * bytes replaced by U+FFFD, lines longer than the limit cut into several, and terminal escapes and control
 * characters made harmless ({@link OutputText}): every line of output passes through here before it is stored.
 */
final class LineSplitter extends OutputStream {

    private final LineSink sink;
    private final LineSink.Stream stream;
    private final int maxBytes;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    LineSplitter(LineSink sink, LineSink.Stream stream, int maxBytes) {
        this.sink = sink;
        this.stream = stream;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit(false);
            return;
        }
        buffer.write(b);
        if (buffer.size() >= maxBytes) {
            emit(true);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void close() {
        if (buffer.size() > 0) {
            emit(false);
        }
    }

    /** A whole line, or (cut) the first part of a long one, ending before a character whose bytes are incomplete. */
    private void emit(boolean cut) {
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        int len = bytes.length;
        if (cut) {
            int keep = incompleteTail(bytes);
            if (keep > 0 && keep < len) {
                len -= keep;
                buffer.write(bytes, len, keep);
            }
        } else if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        sink.line(stream, OutputText.clean(decode(bytes, len)), cut);
    }

    /** How many bytes at the end start a UTF-8 character that is not complete yet (0 when none). */
    static int incompleteTail(byte[] bytes) {
        int len = bytes.length;
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

    static String decode(byte[] bytes, int len) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, 0, len)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
        }
    }
}
