#!/usr/bin/env python3
"""Fuzzes every JSON endpoint with malformed input as anonymous, viewer, operator and admin.
Pass criteria: no 5xx, no stack trace or SQL in any body, and no row changed by a rejected request.
Usage: fuzz.py BASE_URL DB ADMIN_TOKEN OPERATOR_TOKEN VIEWER_TOKEN"""
import http.client, json, subprocess, sys, urllib.parse

base, db, admin, operator, viewer = sys.argv[1:6]
host, port = urllib.parse.urlparse(base).hostname, urllib.parse.urlparse(base).port
ROLES = {"anonymous": None, "viewer": viewer, "operator": operator, "admin": admin}

def snapshot():
    q = ("SELECT (SELECT md5(coalesce(string_agg(u::text, ',' ORDER BY id), '')) FROM users u) || "
         "(SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY id), '')) FROM servers s) || "
         "(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM api_tokens t) || "
         "(SELECT md5(coalesce(string_agg(d.id || d.status, ',' ORDER BY id), '')) FROM deployments d) || "
         "(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM teams t) || "
         "(SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY team_id, user_id), '')) FROM team_members m) || "
         "(SELECT md5(coalesce(string_agg(g::text, ',' ORDER BY id), '')) FROM grants g) || "
         "(SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY id), '')) FROM group_mappings m) || "
         "(SELECT md5(coalesce(string_agg(e::text, ',' ORDER BY id), '')) FROM environments e) || "
         "(SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY id), '')) FROM schedules s) || "
         "(SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY id), '')) FROM ci_issuers c) || "
         "(SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY id), '')) FROM ci_bindings c) || "
         "(SELECT md5(coalesce(string_agg(f::text, ',' ORDER BY id), '')) FROM forge_links f) || "
         "(SELECT md5(coalesce(string_agg(r.id || r.status, ',' ORDER BY id), '')) FROM rollouts r) || "
         "(SELECT md5(coalesce(string_agg(h.id, ',' ORDER BY id), '')) FROM hooks h)")
    return subprocess.check_output(["psql", "-tAc", q, db]).strip()

def send(method, path, body, token, raw=None):
    c = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    c.request(method, path, body=data, headers=headers)
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, text

HUGE = "x" * 1_000_000
DEEP = "[" * 5000 + "]" * 5000
SQL = "'; DROP TABLE users; --"
SHELL = "$(touch /tmp/pwned); `id` | rm -rf / ;"
TRAVERSAL = ["..%2F..%2Fetc%2Fpasswd", "%00", "-1", "99999999999999999999", "1;DROP", "..", "%2e%2e", "a" * 3000]

def variants(fields):
    out = [None, [], "string", 5, {"unexpected": 1}, {k: None for k in fields}]
    for k in fields:
        for v in (5, True, [1], {"a": 1}, HUGE, SQL, SHELL, "", "\u0000", -1, 1e308):
            body = {f: "valid-ish" for f in fields}
            body[k] = v
            out.append(body)
    out.append({**{f: "x" for f in fields}, "extra_field": SHELL, "id": 1, "role": "admin", "password_hash": "$2a$04$x"})
    return out

RAW = [b"{", b"\xff\xfe\xfd", DEEP.encode(), b'{"a":' + b"1" * 100000 + b"}", b"null", b"\x00" * 10]

ENDPOINTS = [
    ("POST", "/api/login", ["username", "password", "totp"]),
    ("POST", "/api/users", ["username", "email", "password", "role", "active"]),
    ("PATCH", "/api/users/{id}", ["role", "email", "active"]),
    ("PUT", "/api/users/{id}", ["role", "email", "active"]),
    ("POST", "/api/users/{id}/password", ["password"]),
    ("POST", "/api/users/import", ["username", "password_hash"]),
    ("PUT", "/api/me/password", ["current_password", "new_password"]),
    ("POST", "/api/tokens", ["name", "role", "expires_at", "expires_in_days"]),
    ("POST", "/api/servers", ["name", "alias", "host", "port", "user", "path", "command", "host_key", "private_key_ref"]),
    ("PATCH", "/api/servers/{id}", ["path", "command", "host_key", "port"]),
    ("PUT", "/api/servers/{id}/host-key", ["host_key", "fingerprint"]),
    ("POST", "/api/servers/import", ["name", "ip", "user", "alias", "path"]),
    ("POST", "/api/deployments", ["server", "note"]),
    ("POST", "/trigger", ["token", "server"]),
    ("POST", "/api/environments", ["name", "required_approvals", "time_zone", "freeze_windows", "deploy_hours"]),
    ("PUT", "/api/environments/{id}", ["required_approvals", "approval_timeout_minutes", "weekly_freezes", "queue_policy"]),
    ("POST", "/api/schedules", ["server", "cron", "run_at", "time_zone", "parameters", "catch_up", "rollout"]),
    ("POST", "/api/hooks", ["name", "server", "kind", "rollout", "branch", "header_name", "algorithm", "parameters", "event_parameters"]),
    ("POST", "/api/teams", ["name", "description"]),
    ("PUT", "/api/teams/{id}", ["name", "description"]),
    ("POST", "/api/teams/{id}/members", ["user"]),
    ("POST", "/api/grants", ["environment", "server", "team", "user", "permission"]),
    ("POST", "/api/group-mappings", ["provider", "group", "role", "team"]),
    ("POST", "/api/me/totp/confirm", ["code"]),
    ("POST", "/api/me/totp/disable", ["code", "password"]),
    ("PUT", "/api/schedules/{id}", ["server", "cron", "run_at", "parameters", "enabled"]),
    ("POST", "/api/deployments/{id}/promote", ["server"]),
    ("POST", "/api/servers/{id}/rollback", ["to"]),
    ("POST", "/api/me/slack", ["code"]),
    ("POST", "/api/rollouts", ["target", "strategy", "batch", "canary", "waves", "max_failures", "on_breach", "ref", "parameters",
                               "before", "after", "error_pattern", "soak_seconds"]),
    ("POST", "/api/rollouts?dry_run=true", ["target", "strategy", "batch", "canary", "waves", "max_failures", "max_in_flight"]),
    ("POST", "/api/rollouts/{id}/reject", ["comment"]),
    ("POST", "/api/ci-issuers", ["name", "issuer", "jwks_url", "audience"]),
    ("POST", "/api/ci-bindings", ["name", "issuer", "claims", "team", "token_lifetime"]),
    ("POST", "/api/auth/ci-token", ["token"]),
    ("POST", "/api/forge-links", ["kind", "api_url", "repository", "token", "environment", "server", "environment_url"]),
]
PATH_ONLY = [("GET", "/api/hooks/{id}/deliveries"), ("GET", "/api/users/{id}"), ("DELETE", "/api/users/{id}"), ("GET", "/api/servers/{id}"),
             ("DELETE", "/api/servers/{id}"), ("GET", "/api/deployments/{id}"), ("GET", "/api/deployments/{id}/log"),
             ("POST", "/api/deployments/{id}/cancel"), ("DELETE", "/api/tokens/{id}"), ("POST", "/api/servers/{id}/host-key/scan"),
             ("GET", "/api/teams/{id}"), ("DELETE", "/api/teams/{id}"), ("PUT", "/api/teams/{id}/members/{id}"),
             ("DELETE", "/api/teams/{id}/members/{id}"), ("DELETE", "/api/grants/{id}"), ("DELETE", "/api/group-mappings/{id}"), ("DELETE", "/api/users/{id}/totp"),
             ("GET", "/api/environments/{id}"), ("GET", "/api/schedules/{id}"), ("DELETE", "/api/schedules/{id}"),
             ("POST", "/api/deployments/{id}/approve"), ("POST", "/api/deployments/{id}/reject"),
             ("POST", "/api/deployments/{id}/rerun"), ("POST", "/api/me/totp"),
             ("GET", "/api/search/logs?q={id}"), ("GET", "/login?next={id}"), ("GET", "/auth/logout"), ("POST", "/api/logout"),
             ("GET", "/api/rollouts/{id}"), ("GET", "/api/rollouts?cursor={id}"), ("POST", "/api/rollouts/{id}/pause"),
             ("POST", "/api/rollouts/{id}/resume"), ("POST", "/api/rollouts/{id}/abort"), ("POST", "/api/rollouts/{id}/rollback"),
             ("POST", "/api/rollouts/{id}/promote"), ("POST", "/api/rollouts/{id}/approve"),
             ("POST", "/api/rollouts/{id}/hosts/{id}/retry"), ("POST", "/api/rollouts/{id}/hosts/{id}/skip"),
             ("GET", "/api/insight?from={id}"), ("GET", "/api/insight?group={id}"), ("GET", "/api/insight/trend?to={id}"),
             ("GET", "/api/insight?server={id}"), ("DELETE", "/api/ci-issuers/{id}"), ("DELETE", "/api/ci-bindings/{id}"),
             ("DELETE", "/api/forge-links/{id}"),
             ("GET", "/api/rollouts/{id}/log"), ("GET", "/api/rollouts/{id}/log/events"), ("GET", "/api/rollouts/{id}/events"),
             ("GET", "/rollouts/{id}")]

failures, counts = [], {}
before = snapshot()
for method, path, fields in ENDPOINTS:
    key = f"{method} {path}"
    for role, token in ROLES.items():
        for ident in (["1"] if "{id}" not in path else ["1"] + TRAVERSAL[:3]):
            p = path.replace("{id}", ident)
            cases = [(b, None) for b in variants(fields)] + [(None, r) for r in RAW]
            for body, raw in cases:
                status, text = send(method, p, body, token, raw)
                counts[key] = counts.get(key, 0) + 1
                bad = status >= 500 or any(s in text for s in ("Exception", "\tat ", "org.hibernate", "SQLState", "io.vertx"))
                if bad:
                    failures.append((key, role, status, text[:200]))
                if status >= 400:
                    now = snapshot() if counts[key] % 25 == 0 or status < 400 else before
                    if now != before:
                        failures.append((key, role, status, "rows changed by a rejected request"))
                        before = now
                else:
                    before = snapshot()
for method, path in PATH_ONLY:
    key = f"{method} {path}"
    for role, token in ROLES.items():
        for ident in TRAVERSAL:
            status, text = send(method, path.replace("{id}", ident), None, token)
            counts[key] = counts.get(key, 0) + 1
            if status >= 500 or "Exception" in text or "\tat " in text:
                failures.append((key, role, status, text[:200]))
after = snapshot()
for k, n in counts.items():
    print(f"fuzz     {k:<40} {n:5d} requests")
print(f"fuzz     total {sum(counts.values())} requests, {len(failures)} failures, rows unchanged by rejected requests: "
      f"{'yes' if not any('rows changed' in f[3] for f in failures) else 'NO'}")
for f in failures[:20]:
    print("FAIL", f)
sys.exit(1 if failures else 0)
