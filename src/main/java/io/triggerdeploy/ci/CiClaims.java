package io.triggerdeploy.ci;

import java.util.Collection;
import java.util.Map;

/**
 * The claims of a verified CI ID token: GitHub Actions ({@code repository}, {@code workflow}, {@code run_id}, {@code ref},
 * {@code sha}, {@code actor}, {@code environment}) or GitLab CI ({@code project_path}, {@code pipeline_id}, {@code job_id},
 * {@code ref}, {@code sha}, {@code user_login}, {@code environment}); other issuers by {@code sub}.
 */
record CiClaims(Map<String, Object> claims) {

    /** Whether every condition holds: the claim's value equals it, or starts with it less its trailing {@code *}. */
    boolean meets(Map<String, String> conditions) {
        return conditions.entrySet().stream().allMatch(c -> holds(claims.get(c.getKey()), c.getValue()));
    }

    private static boolean holds(Object claim, String condition) {
        if (claim instanceof Collection<?> list) {
            return list.stream().anyMatch(v -> holds(v, condition));
        }
        if (claim == null || claim instanceof Map) {
            return false;
        }
        String v = claim.toString();
        return condition.endsWith("*") ? v.startsWith(condition.substring(0, condition.length() - 1)) : v.equals(condition);
    }

    private String text(String name) {
        Object v = claims.get(name);
        return v == null || v instanceof Map || v instanceof Collection ? null : v.toString();
    }

    /** The repository or project, else the subject. */
    String repository() {
        String r = text("repository");
        if (r == null) {
            r = text("project_path");
        }
        return r != null ? r : String.valueOf(text("sub"));
    }

    /** The run (GitHub's run id, GitLab's job id), or null. */
    String run() {
        String r = text("run_id");
        return r != null ? r : text("job_id");
    }

    /** The workflow (GitHub) or pipeline (GitLab), or null. */
    String workflow() {
        String w = text("workflow");
        return w != null ? w : text("pipeline_id") == null ? null : "pipeline " + text("pipeline_id");
    }

    /** Who acts, as the history and the audit name it (at most 64 characters): {@code ci:acme/shop:Deploy#1234}. */
    String identity() {
        String workflow = workflow() == null ? "" : ":" + (workflow().length() > 24 ? workflow().substring(0, 23) + "…" : workflow());
        String run = workflow + (run() == null ? "" : "#" + run());
        String repo = repository();
        int room = 64 - 3 - run.length();
        if (repo.length() > room) {
            repo = repo.substring(0, Math.max(0, room - 1)) + "…";
        }
        return "ci:" + repo + run;
    }

    /** The claims worth an audit record: repository, workflow, run, ref, sha, environment, actor. */
    String describe() {
        StringBuilder sb = new StringBuilder("repository ").append(repository());
        append(sb, "workflow", workflow());
        append(sb, "run", run());
        append(sb, "ref", text("ref"));
        append(sb, "sha", text("sha"));
        append(sb, "environment", text("environment"));
        String actor = text("actor");
        append(sb, "actor", actor != null ? actor : text("user_login"));
        return sb.toString();
    }

    private static void append(StringBuilder sb, String label, String value) {
        if (value != null) {
            sb.append(", ").append(label).append(' ').append(value.length() > 200 ? value.substring(0, 200) + "…" : value);
        }
    }
}
