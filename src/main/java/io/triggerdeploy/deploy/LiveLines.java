package io.triggerdeploy.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a deployment's lines, as they are produced, to the live streams on the replica that runs it, without
 * waiting for the batch INSERT, its NOTIFY and a SELECT per stream. Each running deployment keeps one window of its
 * latest lines, shared by every stream that follows it here: {@value #RECENT} lines while nobody follows (so a stream
 * that connects a moment after the command started gets them at once), up to {@value #FOLLOWED} lines (about 16 MiB at
 * most) while someone does, so a burst reaches its readers from memory rather than at the speed of the INSERTs: one
 * copy however many streams follow. A stream is woken when lines arrive
 * and takes those after the last one it sent; lines that left the window are read from PostgreSQL, which stays the
 * record: streams on other replicas, resumes ({@code Last-Event-ID}) and any gap read the stored lines, and every
 * stream sends only the line after the last one it sent, so a line is never lost or sent twice.
 */
@ApplicationScoped
public class LiveLines {

    static final int RECENT = 2000;
    static final int FOLLOWED = 100_000;

    /** What a followed window may hold, estimated (a line costs about 80 bytes of objects plus its text). */
    static final long FOLLOWED_BYTES = 16L << 20;

    private final Map<Long, Feed> feeds = new ConcurrentHashMap<>();

    /** One deployment's latest lines (consecutive line numbers) and the streams following it here. */
    private static final class Feed {
        /** Lines {@code head..size-1} are live; the slots before {@code head} were dropped and are compacted now and then. */
        final List<LogLine> lines = new ArrayList<>();
        int head;
        long bytes;
        /** Copied when a stream comes or goes, so a burst's lines wake them without a copy per line. */
        Runnable[] followers = new Runnable[0];
        boolean running;

        void add(LogLine line) {
            if (lines.size() > head && lines.get(lines.size() - 1).lineNo() + 1 != line.lineNo()) {
                clear(); // not the next line (a writer started again): the window starts anew, the database has the rest
            }
            lines.add(line);
            bytes += cost(line);
            int keep = followers.length == 0 ? RECENT : FOLLOWED;
            while (lines.size() - head > keep || bytes > FOLLOWED_BYTES && lines.size() - head > RECENT) {
                bytes -= cost(lines.get(head));
                lines.set(head++, null);
            }
            if (head > 4096 && head > lines.size() / 2) {
                lines.subList(0, head).clear();
                head = 0;
            }
        }

        /** Up to {@code max} lines from {@code last + 1} on, when the window holds that line; else none. */
        List<LogLine> after(int last, int max) {
            if (lines.size() <= head) {
                return List.of();
            }
            int first = lines.get(head).lineNo();
            int newest = lines.get(lines.size() - 1).lineNo();
            if (last >= newest || last + 1 < first) {
                return List.of();
            }
            int from = head + (last + 1 - first);
            return new ArrayList<>(lines.subList(from, Math.min(lines.size(), from + max)));
        }

        void clear() {
            lines.clear();
            head = 0;
            bytes = 0;
        }

        private static long cost(LogLine line) {
            return 80L + line.text().length();
        }
    }

    /**
     * Follows deployment {@code id} here: {@code wake} runs (on the producing thread, so it must only schedule work)
     * whenever lines arrive, and once now; run the answer to stop following.
     */
    Runnable tap(long id, Runnable wake) {
        Feed f = feeds.computeIfAbsent(id, k -> new Feed());
        synchronized (f) {
            Runnable[] more = Arrays.copyOf(f.followers, f.followers.length + 1);
            more[more.length - 1] = wake;
            f.followers = more;
        }
        wake.run();
        return () -> {
            synchronized (f) {
                f.followers = Arrays.stream(f.followers).filter(w -> w != wake).toArray(Runnable[]::new);
                if (f.followers.length == 0 && !f.running) {
                    feeds.remove(id, f);
                }
            }
        };
    }

    /** Up to {@code max} of deployment {@code id}'s lines after line {@code last}, when this replica still holds them. */
    List<LogLine> after(long id, int last, int max) {
        Feed f = feeds.get(id);
        if (f == null) {
            return List.of();
        }
        synchronized (f) {
            return f.after(last, max);
        }
    }

    /** A line was produced (numbered, masked); called on the thread reading the SSH channel. */
    void offer(long id, LogLine line) {
        Feed f = feeds.computeIfAbsent(id, k -> new Feed());
        Runnable[] wake;
        synchronized (f) {
            f.running = true;
            f.add(line);
            wake = f.followers;
        }
        for (Runnable w : wake) {
            w.run();
        }
    }

    /** The deployment ended here and its lines are stored: forget them (streams finish from the database). */
    void end(long id) {
        Feed f = feeds.get(id);
        if (f == null) {
            return;
        }
        synchronized (f) {
            f.running = false;
            f.clear();
            if (f.followers.length == 0) {
                feeds.remove(id, f);
            }
        }
    }
}
