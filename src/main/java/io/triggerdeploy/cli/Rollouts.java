package io.triggerdeploy.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code td rollout}: one release over a group, an environment or a label selector, in waves; with {@code --wait} it
 * follows the rollout (waves, each host's end, a pause and why) until it ends, and exits as {@code td deploy} does.
 */
final class Rollouts {

    private static final long POLL_MS = 1000;

    private final Api api;
    private final Options o;
    private final PrintStream out;
    private final PrintStream err;

    Rollouts(Api api, Options o, PrintStream out, PrintStream err) {
        this.api = api;
        this.o = o;
        this.out = out;
        this.err = err;
    }

    int start() {
        Map<String, Object> target = new LinkedHashMap<>();
        put(target, "group", o.group);
        put(target, "environment", o.environment);
        put(target, "selector", o.selector);
        if (target.isEmpty()) {
            throw new Td.Exit(Td.USAGE, "td rollout needs --group G, --environment E or --selector 'role=web' (td --help)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target", target);
        put(body, "strategy", o.strategy);
        put(body, "batch", amount(o.batch));
        put(body, "max_in_flight", amount(o.maxInFlight));
        put(body, "canary", amount(o.canary));
        put(body, "max_failures", amount(o.maxFailures));
        put(body, "on_breach", o.onBreach);
        put(body, "ref", o.ref);
        put(body, "note", o.note);
        if (!o.params.isEmpty()) {
            body.put("parameters", o.params);
        }
        Object r = api.post("/api/rollouts", body);
        String id = Json.str(r, "id");
        if (!o.json) {
            out.println("Rollout #" + id + " " + Json.str(r, "status") + ": " + Json.list(r, "hosts").size() + " servers in "
                    + Json.list(r, "waves").size() + " waves: " + api.base() + "/rollouts/" + id);
        }
        return o.wait || o.follow ? ended(await(Long.parseLong(id))) : printed(r);
    }

    int status() {
        Object r = api.get("/api/rollouts/" + o.id());
        out.println(o.json ? Json.write(r) : describe(r));
        return isFinal(Json.str(r, "status")) ? code(Json.str(r, "status")) : Td.OK;
    }

    private int printed(Object r) {
        if (o.json) {
            out.println(Json.write(r));
        }
        return Td.OK;
    }

    /** Polls the rollout until it ends, printing what changed: the wave, each host's end, a pause and its reason. */
    private Object await(long id) {
        long deadline = System.nanoTime() + o.timeout.toNanos();
        Map<String, String> hosts = new LinkedHashMap<>();
        String seen = null;
        while (true) {
            Object r = api.get("/api/rollouts/" + id);
            String state = Json.str(r, "status") + " wave " + Json.str(r, "current_wave") + " " + Json.str(r, "paused_reason");
            if (!state.equals(seen)) {
                err.println("td: rollout #" + id + " " + describe(r));
                seen = state;
            }
            for (Object h : Json.list(r, "hosts")) {
                String was = hosts.put(Json.str(h, "server"), Json.str(h, "status"));
                if (o.follow && !Json.str(h, "status").equals(was) && was != null) {
                    out.println(Json.str(h, "server") + ": " + Json.str(h, "status")
                            + (Json.str(h, "deployment_id") == null ? "" : " (#" + Json.str(h, "deployment_id") + ")"));
                }
            }
            if (isFinal(Json.str(r, "status"))) {
                return r;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new Td.Exit(Td.TIMED_OUT, "rollout #" + id + " is still " + Json.str(r, "status") + " after --timeout " + o.timeout
                        + "; it goes on: " + api.base() + "/rollouts/" + id);
            }
            sleep(Math.min(POLL_MS, left));
        }
    }

    private int ended(Object r) {
        out.println(o.json ? Json.write(r) : "Rollout #" + Json.str(r, "id") + " " + describe(r));
        return code(Json.str(r, "status"));
    }

    static String describe(Object r) {
        List<Object> hosts = Json.list(r, "hosts");
        long done = hosts.stream().filter(h -> "SUCCEEDED".equals(Json.str(h, "status"))).count();
        return Json.str(r, "status") + ", wave " + Json.str(r, "current_wave") + " of " + Json.list(r, "waves").size() + ", "
                + done + " of " + hosts.size() + " servers succeeded, " + Json.str(r, "failures") + " failed"
                + (Json.str(r, "paused_reason") == null ? "" : "; paused: " + Json.str(r, "paused_reason"));
    }

    static boolean isFinal(String status) {
        return !"RUNNING".equals(status) && !"PAUSED".equals(status) && !"AWAITING_APPROVAL".equals(status);
    }

    static int code(String status) {
        return switch (status == null ? "" : status) {
            case "SUCCEEDED" -> Td.OK;
            case "FAILED", "ROLLED_BACK" -> Td.FAILED;
            case "REJECTED", "EXPIRED" -> Td.REJECTED;
            case "ABORTED" -> Td.CANCELLED;
            default -> Td.OK;
        };
    }

    /** A number stays a number; "25%" and other text go as text. */
    private static Object amount(String v) {
        return v == null ? null : v.matches("[0-9]{1,9}") ? (Object) Long.parseLong(v) : v;
    }

    private static void put(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Td.Exit(Td.CANCELLED, "interrupted");
        }
    }
}
