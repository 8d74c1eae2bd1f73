package io.triggerdeploy.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a deployment to end: through its approval (polled, so each decision is printed), then on its live event
 * stream, which carries it through a freeze and the queue to its final status. A dropped stream is resumed from the last
 * line it delivered ({@code Last-Event-ID}), so no line is lost or printed twice. The whole wait is bounded by
 * {@code --timeout}.
 */
final class Follow {

    private static final long POLL_MS = 1000;

    private final Api api;
    private final Options o;
    private final PrintStream out;
    private final PrintStream err;
    private final long deadline;
    private long last;
    private volatile BufferedReader current;
    /** The wait ended (timed out): the reader thread stops instead of reconnecting. */
    private volatile boolean over;

    Follow(Api api, Options o, PrintStream out, PrintStream err) {
        this.api = api;
        this.o = o;
        this.out = out;
        this.err = err;
        this.deadline = System.nanoTime() + o.timeout.toNanos();
    }

    static boolean isFinal(String status) {
        return status != null && !status.equals("QUEUED") && !status.equals("RUNNING") && !status.equals("AWAITING_APPROVAL");
    }

    /** The deployment once it ended (its final view). */
    Object await(long id, Object d) {
        String given = null;
        while ("AWAITING_APPROVAL".equals(Json.str(d, "status"))) {
            Object approval = Json.obj(d, "approval");
            String now = approval == null ? "?" : (Json.str(approval, "given") == null ? "0" : Json.str(approval, "given")) + " of "
                    + Json.str(approval, "required");
            if (!now.equals(given)) {
                err.println("td: #" + id + " waits for approval (" + now + (Json.str(d, "environment") == null ? ""
                        : ", environment " + Json.str(d, "environment")) + "; someone with approve there, not the requester"
                        + (approval == null || Json.str(approval, "expires_at") == null ? "" : "; expires " + Json.str(approval, "expires_at"))
                        + "): " + api.base() + "/deployments/" + id);
                given = now;
            }
            sleep(id, d);
            d = api.get("/api/deployments/" + id);
        }
        if (isFinal(Json.str(d, "status")) && !o.follow) {
            return d;
        }
        OffsetDateTime notBefore = Td.time(Json.str(d, "not_before"));
        if (notBefore != null && notBefore.isAfter(OffsetDateTime.now())) {
            err.println("td: #" + id + " is held by a freeze until " + notBefore + "; waiting (--timeout " + o.timeout + ")");
        }
        return stream(id);
    }

    private void sleep(long id, Object d) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw timedOut(id, d);
        }
        try {
            Thread.sleep(Math.min(POLL_MS, left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Td.Exit(Td.CANCELLED, "interrupted");
        }
    }

    /** The live stream until its final status event, resumed after a drop; bounded by the deadline. */
    private Object stream(long id) {
        CompletableFuture<Object> end = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                end.complete(resume(id));
            } catch (RuntimeException e) {
                end.completeExceptionally(e);
            }
        }, "td-follow");
        reader.setDaemon(true);
        reader.start();
        try {
            return end.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            over = true;
            closeQuietly(current);
            throw timedOut(id, api.get("/api/deployments/" + id));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Td.Exit x ? x : new Td.Exit(Td.UNREACHABLE, String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Td.Exit(Td.CANCELLED, "interrupted");
        }
    }

    private Object resume(long id) {
        int drops = 0;
        while (!over) {
            try (BufferedReader lines = api.events(id, last)) {
                current = lines;
                Object status = read(lines);
                if (status != null) {
                    return status;
                }
            } catch (IOException e) {
                if (drops++ == 0) {
                    err.println("td: the live stream dropped (" + e.getMessage() + "); resuming after line " + last);
                }
            }
            pause();
        }
        return null;
    }

    private static void closeQuietly(BufferedReader r) {
        try {
            if (r != null) {
                r.close();
            }
        } catch (IOException ignored) {
            // the wait is over either way
        }
    }

    /** Reads SSE events: prints lines (with --follow), answers the final status event's deployment, or null at a drop. */
    private Object read(BufferedReader lines) throws IOException {
        String event = null;
        StringBuilder data = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isEmpty()) {
                Object done = dispatch(event, data.toString());
                if (done != null) {
                    return done;
                }
                event = null;
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(data.length() == 0 ? "" : "\n").append(line.substring(5).stripLeading());
            }
        }
        return null;
    }

    private Object dispatch(String event, String data) {
        if ("line".equals(event)) {
            Object l = Json.parse(data);
            long n = Long.parseLong(Json.str(l, "line"));
            if (n > last) {
                last = n;
                if (o.follow) {
                    out.println(Json.str(l, "text"));
                }
            }
        } else if ("status".equals(event)) {
            return Json.parse(data);
        }
        return null;
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Td.Exit(Td.CANCELLED, "interrupted");
        }
    }

    /** The wait ran out: held by a freeze (4) or anything else (6); the deployment goes on either way. */
    private Td.Exit timedOut(long id, Object d) {
        OffsetDateTime notBefore = Td.time(Json.str(d, "not_before"));
        boolean frozen = "QUEUED".equals(Json.str(d, "status")) && notBefore != null && notBefore.isAfter(OffsetDateTime.now());
        return new Td.Exit(frozen ? Td.FROZEN : Td.TIMED_OUT, "#" + id + " is still " + Json.str(d, "status")
                + (frozen ? " (held by a freeze until " + notBefore + ")" : "") + " after --timeout " + o.timeout
                + "; it goes on: " + api.base() + "/deployments/" + id);
    }
}
