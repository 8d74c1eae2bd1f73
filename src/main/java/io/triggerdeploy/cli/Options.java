package io.triggerdeploy.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of td, read once: the command, its arguments and every option, with TD_URL and TD_TOKEN. */
final class Options {
    String command;
    final List<String> args = new ArrayList<>();
    final Map<String, Object> params = new LinkedHashMap<>();
    Map<String, String> env;
    String url;
    String token;
    String ref;
    String note;
    String comment;
    String to;
    String server;
    String limit;
    String group;
    String environment;
    String selector;
    String strategy;
    String batch;
    String maxInFlight;
    String canary;
    String maxFailures;
    String onBreach;
    Duration timeout = Duration.ofHours(1);
    boolean wait;
    boolean follow;
    boolean json;
    boolean help;

    static Options parse(String[] argv, Map<String, String> env) {
        Options o = new Options();
        o.env = env;
        o.url = env.get("TD_URL");
        o.token = env.get("TD_TOKEN");
        for (int i = 0; i < argv.length; i++) {
            i = o.take(argv, i);
        }
        if (o.command != null && !o.help && (o.url == null || o.url.isBlank())) {
            throw new Td.Exit(Td.USAGE, "no service URL: give --url or set TD_URL (e.g. https://deploy.example.com)");
        }
        return o;
    }

    private int take(String[] argv, int i) {
        String a = argv[i];
        switch (a) {
            case "-h", "--help" -> help = true;
            case "--wait" -> wait = true;
            case "--follow", "-f" -> follow = true;
            case "--json" -> json = true;
            case "--url" -> url = value(argv, i);
            case "--token" -> token = value(argv, i);
            case "--ref" -> ref = value(argv, i);
            case "--note" -> note = value(argv, i);
            case "--comment" -> comment = value(argv, i);
            case "--to" -> to = number(value(argv, i), "--to");
            case "--server" -> server = value(argv, i);
            case "--limit" -> limit = number(value(argv, i), "--limit");
            case "--timeout" -> timeout = duration(value(argv, i));
            case "--param", "-p" -> param(value(argv, i));
            case "--group" -> group = value(argv, i);
            case "--environment" -> environment = value(argv, i);
            case "--selector" -> selector = value(argv, i);
            case "--strategy" -> strategy = value(argv, i);
            case "--batch" -> batch = value(argv, i);
            case "--max-in-flight" -> maxInFlight = value(argv, i);
            case "--canary" -> canary = value(argv, i);
            case "--max-failures" -> maxFailures = value(argv, i);
            case "--on-breach" -> onBreach = value(argv, i);
            default -> {
                if (a.startsWith("-")) {
                    throw new Td.Exit(Td.USAGE, "unknown option " + a + " (td --help)");
                }
                if (command == null) {
                    command = a;
                } else {
                    args.add(a);
                }
                return i;
            }
        }
        return a.equals("--wait") || a.equals("--follow") || a.equals("-f") || a.equals("--json") || a.equals("-h")
                || a.equals("--help") ? i : i + 1;
    }

    private static String value(String[] argv, int i) {
        if (i + 1 >= argv.length) {
            throw new Td.Exit(Td.USAGE, argv[i] + " needs a value");
        }
        return argv[i + 1];
    }

    private void param(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new Td.Exit(Td.USAGE, "--param takes NAME=VALUE, not '" + kv + "'");
        }
        params.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    private static String number(String v, String option) {
        if (!v.matches("[0-9]{1,18}")) {
            throw new Td.Exit(Td.USAGE, option + " takes a number, not '" + v + "'");
        }
        return v;
    }

    /** 90s, 15m, 2h, or ISO-8601 (PT15M). */
    static Duration duration(String v) {
        try {
            if (v.matches("[0-9]{1,9}[smh]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(v);
        } catch (RuntimeException e) {
            throw new Td.Exit(Td.USAGE, "--timeout takes 90s, 15m, 2h or PT15M, not '" + v + "'");
        }
    }

    String arg(int k, String name) {
        if (args.size() <= k) {
            throw new Td.Exit(Td.USAGE, "td " + command + " needs " + name + " (td --help)");
        }
        return args.get(k);
    }

    long id() {
        return Long.parseLong(number(arg(0, "ID"), "ID"));
    }
}
