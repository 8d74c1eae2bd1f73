package io.triggerdeploy.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code td}: the service's command line for people and CI jobs, with nothing but the JDK (the service assembles it into
 * {@code /cli/td.jar} from these classes). Settings from flags or {@code TD_URL} / {@code TD_TOKEN}; output for people,
 * or the API's JSON with {@code --json}. Exit codes: 0 succeeded, 1 failed, 2 usage or input error, 3 rejected or
 * approval expired, 4 held by a freeze past the timeout, 5 cancelled or interrupted, 6 wait timed out, 7 cannot reach
 * the service or not allowed.
 */
public final class Td {

    /** Every class of the command line: the service puts exactly these into td.jar (a test compares them to the build). */
    public static final List<Class<?>> PARTS = List.of(Td.class, Td.Exit.class, Options.class, Api.class, Json.class, Follow.class,
            Rollouts.class, CiIdentity.class);

    static final String VERSION = "1";
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int REJECTED = 3;
    static final int FROZEN = 4;
    static final int CANCELLED = 5;
    static final int TIMED_OUT = 6;
    static final int UNREACHABLE = 7;

    static final String HELP = """
            td: trigger-deploy from the command line (settings: --url or TD_URL, --token or TD_TOKEN; in a CI job without
                a token: its ID token, from GitHub Actions or TD_ID_TOKEN, exchanged for one; audience TD_AUDIENCE or the URL)

              td deploy SERVER [--ref R] [--param K=V ...] [--note TEXT] [--wait] [--follow] [--timeout 30m]
              td status ID                      the deployment's status (exit code as for --wait when it ended)
              td logs ID [--follow]             its output; --follow streams it live until it ends (resumes after a drop)
              td approve ID [--comment TEXT]    td reject ID --comment TEXT    td cancel ID
              td rollback SERVER [--to ID] [--wait] [--follow]
              td rollout (--group G | --environment E | --selector 'role=web') [--strategy rolling|all_at_once|canary]
                 [--batch 2|25%] [--max-in-flight N] [--canary N] [--max-failures N|10%] [--on-breach pause|abort|rollback]
                 [--ref R] [--param K=V ...] [--wait] [--follow]      td rollout-status ID
              td servers                        td history [--server S] [--limit N]

            --json prints the API's JSON instead. --wait waits through approval, a freeze and the queue.
            Exit codes: 0 succeeded, 1 failed, 2 usage or input error, 3 rejected or approval expired,
            4 held by a freeze past the timeout, 5 cancelled or interrupted, 6 wait timed out,
            7 cannot reach the service or not allowed.
            """;

    private final Options o;
    private Api api;
    private final PrintStream out;
    private final PrintStream err;

    Td(Options o, PrintStream out, PrintStream err) {
        this.o = o;
        this.api = new Api(o.url, o.token);
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command; answers its exit code (never exits the JVM, so tests call it directly). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            Options o = Options.parse(args, env);
            if (o.help || o.command == null) {
                out.print(HELP);
                return o.help ? OK : USAGE;
            }
            return new Td(o, out, err).dispatch();
        } catch (Exit e) {
            err.println("td: " + e.getMessage());
            return e.code;
        }
    }

    private int dispatch() {
        if (!"version".equals(o.command)) {
            api = new Api(o.url, CiIdentity.token(o, err));
        }
        return switch (o.command) {
            case "deploy" -> deploy();
            case "rollback" -> rollback();
            case "rollout" -> new Rollouts(api, o, out, err).start();
            case "rollout-status" -> new Rollouts(api, o, out, err).status();
            case "status" -> status();
            case "logs" -> logs();
            case "approve" -> decide("approve");
            case "reject" -> decide("reject");
            case "cancel" -> cancel();
            case "servers" -> servers();
            case "history" -> history();
            case "version" -> {
                out.println("td " + VERSION);
                yield OK;
            }
            default -> throw new Exit(USAGE, "unknown command '" + o.command + "' (td --help)");
        };
    }

    private int deploy() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("server", o.arg(0, "SERVER"));
        Map<String, Object> params = new LinkedHashMap<>(o.params);
        if (o.ref != null) {
            params.put("REF", o.ref);
        }
        if (!params.isEmpty()) {
            body.put("parameters", params);
        }
        if (o.note != null) {
            body.put("note", o.note);
        }
        return started(api.post("/api/deployments", body));
    }

    private int rollback() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (o.to != null) {
            body.put("to", Long.parseLong(o.to));
        }
        if (o.note != null) {
            body.put("note", o.note);
        }
        return started(api.post("/api/servers/" + o.arg(0, "SERVER") + "/rollback", body));
    }

    /** A deployment was accepted: say so, then wait and follow if asked. */
    private int started(Object d) {
        long id = Long.parseLong(Json.str(d, "id"));
        if (!o.json) {
            out.println("Deployment #" + id + " of " + Json.str(d, "server") + (Json.str(d, "ref") == null ? "" : " (" + Json.str(d, "ref") + ")")
                    + " " + Json.str(d, "status") + ": " + api.base() + "/deployments/" + id);
        }
        if (!o.wait && !o.follow) {
            if (o.json) {
                out.println(Json.write(d));
            }
            return OK;
        }
        Object last = new Follow(api, o, out, err).await(id, d);
        return ended(last);
    }

    private int status() {
        Object d = api.get("/api/deployments/" + o.id());
        if (o.json) {
            out.println(Json.write(d));
        } else {
            out.println(describe(d));
        }
        return Follow.isFinal(Json.str(d, "status")) ? code(Json.str(d, "status")) : OK;
    }

    private int logs() {
        long id = o.id();
        if (o.follow) {
            return ended(new Follow(api, o, out, err).await(id, api.get("/api/deployments/" + id)));
        }
        out.print(api.text("/api/deployments/" + id + "/log"));
        return OK;
    }

    private int decide(String decision) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (o.comment != null) {
            body.put("comment", o.comment);
        } else if ("reject".equals(decision)) {
            throw new Exit(USAGE, "td reject needs --comment TEXT (the reason the requester reads)");
        }
        Object d = api.post("/api/deployments/" + o.id() + "/" + decision, body);
        out.println(o.json ? Json.write(d) : describe(d));
        return OK;
    }

    private int cancel() {
        Object d = api.post("/api/deployments/" + o.id() + "/cancel", null);
        out.println(o.json ? Json.write(d) : describe(d));
        return OK;
    }

    private int servers() {
        Object list = api.get("/api/servers");
        if (o.json) {
            out.println(Json.write(list));
            return OK;
        }
        for (Object s : Json.list(list, null)) {
            out.printf("%-20s %-28s %s%n", Json.str(s, "alias") == null ? Json.str(s, "name") : Json.str(s, "alias"),
                    Json.str(s, "user") + "@" + Json.str(s, "host") + ":" + Json.str(s, "port"),
                    Json.str(s, "environment") == null ? "" : Json.str(s, "environment"));
        }
        return OK;
    }

    private int history() {
        StringBuilder q = new StringBuilder("/api/deployments?limit=").append(o.limit == null ? "20" : o.limit);
        if (o.server != null) {
            q.append("&server=").append(URLEncoder.encode(o.server, StandardCharsets.UTF_8));
        }
        Object page = api.get(q.toString());
        if (o.json) {
            out.println(Json.write(page));
            return OK;
        }
        for (Object d : Json.list(page, "items")) {
            out.println(describe(d));
        }
        return OK;
    }

    /** The end of a wait: a line for people (and the job summary in GitHub Actions), the exit code of its status. */
    private int ended(Object d) {
        String status = Json.str(d, "status");
        if (o.json) {
            out.println(Json.write(d));
        } else {
            out.println(describe(d));
        }
        summary(d);
        return code(status);
    }

    static int code(String status) {
        return switch (status == null ? "" : status) {
            case "SUCCEEDED" -> OK;
            case "FAILED", "TIMED_OUT" -> FAILED;
            case "REJECTED", "EXPIRED" -> REJECTED;
            case "CANCELLED", "INTERRUPTED", "SUPERSEDED" -> CANCELLED;
            default -> OK;
        };
    }

    String describe(Object d) {
        StringBuilder s = new StringBuilder("#").append(Json.str(d, "id")).append(' ').append(Json.str(d, "server"));
        if (Json.str(d, "ref") != null) {
            s.append(" (").append(Json.str(d, "ref")).append(')');
        }
        s.append(' ').append(Json.str(d, "status"));
        if (Json.str(d, "duration_ms") != null) {
            s.append(" in ").append(String.format(Locale.ROOT, "%.1f s", Long.parseLong(Json.str(d, "duration_ms")) / 1000.0));
        }
        if (Json.str(d, "exit_code") != null && !"0".equals(Json.str(d, "exit_code"))) {
            s.append(", exit ").append(Json.str(d, "exit_code"));
        }
        if (Json.str(d, "error") != null) {
            s.append(": ").append(Json.str(d, "error"));
        }
        return s.toString();
    }

    /** In GitHub Actions: a row in the job summary (server, ref, status, duration, link). */
    private void summary(Object d) {
        String file = o.env.get("GITHUB_STEP_SUMMARY");
        if (file == null || file.isBlank()) {
            return;
        }
        String duration = Json.str(d, "duration_ms") == null ? "" : Long.parseLong(Json.str(d, "duration_ms")) / 1000 + " s";
        String row = "| " + Json.str(d, "server") + " | " + (Json.str(d, "ref") == null ? "" : Json.str(d, "ref")) + " | "
                + Json.str(d, "status") + " | " + duration + " | [#" + Json.str(d, "id") + "](" + api.base() + "/deployments/"
                + Json.str(d, "id") + ") |\n";
        try {
            Path p = Path.of(file);
            String head = Files.exists(p) && Files.readString(p).contains("| Server | Ref |") ? ""
                    : "| Server | Ref | Status | Duration | Log |\n| --- | --- | --- | --- | --- |\n";
            Files.writeString(p, head + row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            err.println("td: could not write the job summary: " + e.getMessage());
        }
    }

    /** How a command ends early: the exit code and one line for stderr. */
    static final class Exit extends RuntimeException {
        final int code;

        Exit(int code, String message) {
            super(message);
            this.code = code;
        }
    }


    static OffsetDateTime time(String iso) {
        return iso == null ? null : OffsetDateTime.parse(iso);
    }
}
