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
            emit();
            return;
        }
        buffer.write(b);
        if (buffer.size() >= maxBytes) {
            emit();
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
            emit();
        }
    }

    private void emit() {
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        int len = bytes.length;
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        sink.line(stream, OutputText.clean(decode(bytes, len)));
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
