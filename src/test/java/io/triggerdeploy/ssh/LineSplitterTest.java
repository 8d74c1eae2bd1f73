package io.triggerdeploy.ssh;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LineSplitterTest {

    /** What the sink saw: "o:" or "e:" then the text, and "+" when the line was cut at the limit. */
    private static final class Lines implements LineSink {
        final List<String> seen = new ArrayList<>();

        @Override
        public void line(Stream stream, String text) {
            line(stream, text, false);
        }

        @Override
        public void line(Stream stream, String text, boolean cut) {
            seen.add((stream == Stream.STDERR ? "e:" : "o:") + text + (cut ? "+" : ""));
        }
    }

    private static List<String> split(byte[] input, int max, int... pieces) {
        Lines sink = new Lines();
        try (LineSplitter s = new LineSplitter(sink, LineSink.Stream.STDOUT, max)) {
            int at = 0;
            for (int p : pieces) {
                s.write(input, at, p);
                at += p;
            }
            s.write(input, at, input.length - at);
        }
        return sink.seen;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesEndAtLineFeedsWhateverPiecesTheyComeIn() {
        byte[] in = utf8("first\r\nsecond\n\nthird without end");
        assertThat(split(in, 100)).containsExactly("o:first", "o:second", "o:", "o:third without end");
        assertThat(split(in, 100, 3, 4, 1, 1)).containsExactly("o:first", "o:second", "o:", "o:third without end");
    }

    @Test
    void aLongLineIsCutAtTheLimitWithoutSplittingACharacter() {
        // 9 ASCII bytes then "é" (2 bytes) across the 10-byte limit: the cut keeps "é" whole for the next piece
        byte[] in = utf8("123456789é-rest\n");
        assertThat(split(in, 10)).containsExactly("o:123456789+", "o:é-rest");
        assertThat(split(in, 10, 10)).containsExactly("o:123456789+", "o:é-rest");
        assertThat(split(utf8("abcdefghijklmnopqrstu\n"), 10)).containsExactly("o:abcdefghij+", "o:klmnopqrst+", "o:u");
    }

    @Test
    void invalidBytesAndControlsAreMadeVisible() {
        byte[] in = {'a', (byte) 0xff, 'b', 0, 'c', 0x1b, '[', '3', '1', 'm', 'd', '\n'};
        assertThat(split(in, 100)).containsExactly("o:a\uFFFDb\u2400cd");
    }

    /** The same bytes give the same lines in one piece, byte by byte, or in random pieces (the cut rules included). */
    @Test
    void piecesDoNotChangeTheLines() {
        Random random = new Random(42);
        String[] words = {"plain ", "ümlaut ", "✓ ", "😀", "\r", "\n", "\n", "x", "\u001b[0m", "long-long-long-long "};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append(words[random.nextInt(words.length)]);
        }
        byte[] in = utf8(text.toString());
        List<String> whole = split(in, 37);
        Lines single = new Lines();
        try (LineSplitter s = new LineSplitter(single, LineSink.Stream.STDOUT, 37)) {
            for (byte b : in) {
                s.write(b);
            }
        }
        assertThat(single.seen).isEqualTo(whole);
        for (int round = 0; round < 20; round++) {
            List<Integer> cuts = new ArrayList<>();
            int left = in.length;
            while (left > 0) {
                int p = Math.min(left, 1 + random.nextInt(64));
                cuts.add(p);
                left -= p;
            }
            assertThat(split(in, 37, cuts.stream().mapToInt(Integer::intValue).toArray())).isEqualTo(whole);
        }
        assertThat(whole).hasSizeGreaterThan(500).allSatisfy(l -> {
            // at most 37 bytes of input each (a byte gives at most one UTF-16 unit, also after the controls are made visible)
            assertThat(l.length() - 2 - (l.endsWith("+") ? 1 : 0)).isLessThanOrEqualTo(37);
            assertThat(l).doesNotContain("\r", "\u001b");
        });
    }
}
