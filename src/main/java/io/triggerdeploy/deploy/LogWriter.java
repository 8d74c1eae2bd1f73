package io.triggerdeploy.deploy;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.ssh.LineSink;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects a deployment's output lines (masked, numbered, time-stamped) and writes them to PostgreSQL in
 * batches. Output beyond the byte cap is dropped after one visible truncation marker.
 */
final class LogWriter implements LineSink {

    private static final Logger LOG = Logger.getLogger(LogWriter.class);

    private final long deploymentId;
    private final DeploymentRepository repository;
    private volatile Masker.Mask masker;
    private final Masker masks;
    private final java.util.Set<String> maskedValues = new java.util.LinkedHashSet<>();
    /** Per stream, the unfinished start of a secret at the end of a cut piece of a long line. */
    private final String[] held = {"", ""};
    private final LiveLines live;
    private final long maxBytes;
    private final Object flushLock = new Object();
    private List<LogLine> pending = new ArrayList<>();
    private int lineNo;
    private long bytes;
    private long pendingBytes;
    private boolean truncated;
    private boolean pendingTruncated;
    private final java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();

    LogWriter(long deploymentId, DeploymentRepository repository, Masker masks, java.util.Collection<String> secrets,
              LiveLines live, long maxBytes) {
        this.deploymentId = deploymentId;
        this.repository = repository;
        this.masks = masks;
        this.maskedValues.addAll(secrets);
        this.masker = masks.with(maskedValues);
        this.live = live;
        this.maxBytes = maxBytes;
    }

    @Override
    public void line(Stream stream, String text) {
        line(stream, text, false);
    }

    @Override
    public synchronized void line(Stream stream, String text, boolean cut) {
        int i = stream == Stream.STDERR ? 1 : 0;
        String masked = masker.mask(held[i] + text);
        held[i] = "";
        if (cut) {
            int k = masker.unfinished(masked);
            if (k > 0) {
                held[i] = masked.substring(masked.length() - k);
                masked = masked.substring(0, masked.length() - k);
            }
            if (masked.isEmpty()) {
                return;
            }
        }
        add(i == 1 ? 'e' : 'o', masked);
    }

    synchronized void system(String text) {
        add('s', masker.mask(text));
    }

    /** Masks these values too from now on (the secrets of a deployment a rollback step runs again). */
    synchronized void alsoMask(java.util.Collection<String> values) {
        if (maskedValues.addAll(values)) {
            masker = masks.with(maskedValues);
        }
    }

    /** Adds a line already masked. */
    private synchronized void add(char stream, String text) {
        // our own few status lines are kept even past the cap, so the end of a deployment is always visible
        if (truncated && stream != 's') {
            return;
        }
        long size = text.getBytes(StandardCharsets.UTF_8).length + 1L;
        if (stream != 's' && bytes + size > maxBytes) {
            truncated = true;
            pendingTruncated = true;
            keep(new LogLine(++lineNo, now(), 's', "[log truncated: more than " + maxBytes
                    + " bytes of output; further lines are not kept]"));
            return;
        }
        bytes += size;
        pendingBytes += size;
        keep(new LogLine(++lineNo, now(), stream, text));
    }

    private void keep(LogLine line) {
        pending.add(line);
        live.offer(deploymentId, line);
        tail.addLast(line.text());
        if (tail.size() > DeploymentLifecycle.TAIL_LINES) {
            tail.removeFirst();
        }
    }

    /** The last lines written (masked, as stored), oldest first, for the FINISHED event. */
    synchronized java.util.List<String> lastLines() {
        return java.util.List.copyOf(tail);
    }

    /** Writes what has accumulated; batches are written in order. Blocking: never call on an event loop. */
    void flush() {
        synchronized (flushLock) {
            List<LogLine> batch;
            long batchBytes;
            boolean batchTruncated;
            synchronized (this) {
                if (pending.isEmpty()) {
                    return;
                }
                batch = pending;
                batchBytes = pendingBytes;
                batchTruncated = pendingTruncated;
                pending = new ArrayList<>();
                pendingBytes = 0;
                pendingTruncated = false;
            }
            try {
                VertxContextSupport.subscribeAndAwait(() -> repository.appendLogs(deploymentId, batch, batchBytes, batchTruncated));
            } catch (Throwable e) {
                LOG.warnf("Could not store %d log lines of deployment %d as one batch (%s); storing them one by one",
                        batch.size(), deploymentId, e.getMessage());
                storeOneByOne(batch, batchTruncated);
            }
        }
    }

    /** One bad line never takes the others with it; the lines that cannot be stored are replaced by a note. */
    private void storeOneByOne(List<LogLine> batch, boolean batchTruncated) {
        int lost = 0;
        for (LogLine l : batch) {
            long size = l.text().getBytes(StandardCharsets.UTF_8).length + 1L;
            try {
                VertxContextSupport.subscribeAndAwait(() -> repository.appendLogs(deploymentId, List.of(l), size, batchTruncated));
            } catch (Throwable e) {
                lost++;
                LogLine note = new LogLine(l.lineNo(), l.atMicros(), 's', "[line " + l.lineNo() + " could not be stored]");
                try {
                    VertxContextSupport.subscribeAndAwait(() -> repository.appendLogs(deploymentId, List.of(note),
                            note.text().length() + 1L, batchTruncated));
                } catch (Throwable again) {
                    LOG.warnf("Could not store line %d of deployment %d: %s", l.lineNo(), deploymentId, again.getMessage());
                }
            }
        }
        if (lost > 0) {
            LOG.warnf("%d of %d log lines of deployment %d could not be stored", lost, batch.size(), deploymentId);
        }
    }

    private static long now() {
        return LogLine.micros(Instant.now());
    }
}
