package io.triggerdeploy.deploy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One stored output line; stream is 'o' (stdout), 'e' (stderr) or 's' (trigger-deploy's own lines). The time is kept
 * as microseconds since the epoch (PostgreSQL's precision), not as an OffsetDateTime: a live window holds up to
 * 100,000 lines, and the four objects of an OffsetDateTime per line were half of what a burst made the GC copy.
 */
record LogLine(int lineNo, long atMicros, char stream, String text) {

    LogLine(int lineNo, OffsetDateTime at, char stream, String text) {
        this(lineNo, micros(at.toInstant()), stream, text);
    }

    /** When the line was read, in UTC. */
    OffsetDateTime at() {
        return Instant.ofEpochSecond(Math.floorDiv(atMicros, 1_000_000L), Math.floorMod(atMicros, 1_000_000L) * 1000L)
                .atOffset(ZoneOffset.UTC);
    }

    static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
    }
}
