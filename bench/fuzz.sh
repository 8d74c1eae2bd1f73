#!/usr/bin/env bash
# Malformed input against every JSON endpoint, as every role: no 5xx, no stack trace, nothing changed.
source "$(dirname "$0")/lib.sh"
ensure_jar
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up fuzz TRIGGER_DEPLOY_RUNNERS=0 DEPLOY_TOKEN=legacy-fuzz-token TRIGGER_AUTH_BCRYPT_COST=4
for r in operator viewer; do
  curl -s -o /dev/null -XPOST "$URL/api/users" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"username\":\"fuzz-$r\",\"password\":\"fuzz-pass-123\",\"role\":\"$r\"}"
done
OP=$(curl -s -XPOST "$URL/api/login" -H 'content-type: application/json' -d '{"username":"fuzz-operator","password":"fuzz-pass-123"}' | json_field token)
VI=$(curl -s -XPOST "$URL/api/login" -H 'content-type: application/json' -d '{"username":"fuzz-viewer","password":"fuzz-pass-123"}' | json_field token)
python3 "$ROOT/bench/fuzz.py" "$URL" "$DB" "$TOKEN" "$OP" "$VI"
