#!/usr/bin/env bash
# The ecosystem's own checkers against the packaged jar on loopback:
#   - Redocly CLI (recommended rules) on /q/openapi
#   - promtool check metrics (Debian's prometheus package) on /q/metrics, Prometheus text format 0.0.4
#   - Lighthouse (accessibility, best practices) on every page, light and dark colour schemes, in Debian's chromium
#     (LH_PAGES="/search?q=x /account" checks only those)
# Each needs a tool that CI does not install (npm packages, Debian packages): a missing tool is reported and skipped.
# npm packages go to ~/.cache/td-checkers (CHECKERS_INSTALL=1 installs them; nothing is downloaded otherwise).
# Prints one "checkers:" line per checker; exits non-zero if a checker that ran found problems.
# CHECKERS_LIGHTHOUSE=0 skips the Lighthouse part (what .ci/run does; it takes about 6 minutes).
source "$(dirname "$0")/lib.sh"
ensure_jar
TOOLS="${CHECKERS_DIR:-$HOME/.cache/td-checkers}"
if [ "${CHECKERS_INSTALL:-0}" = 1 ] && command -v npm >/dev/null; then
  mkdir -p "$TOOLS" && (cd "$TOOLS" && npm install --no-audit --no-fund --silent @redocly/cli lighthouse >/dev/null)
fi
DBS=()
trap 'stop_all; for d in "${DBS[@]:-}"; do [ -n "$d" ] && drop_db "$d"; done' EXIT
app_up checkers TRIGGER_MONITOR_ALLOW_NETWORKS=127.0.0.0/8
failed=0
out=$(mktemp -d)

# --- OpenAPI ----------------------------------------------------------------------------------------------
curl -s "$URL/q/openapi?format=json" -o "$out/openapi.json"
if [ -x "$TOOLS/node_modules/.bin/redocly" ]; then
  if (cd "$out" && timeout 120 "$TOOLS/node_modules/.bin/redocly" lint openapi.json --format=stylish >"$out/redocly.txt" 2>&1); then
    echo "checkers: redocly recommended: clean ($(grep -o 'with [0-9]* warning' "$out/redocly.txt" || echo 'no warnings'))"
  else
    failed=1; echo "checkers: redocly recommended: FAILED"; grep -E "error|warning" "$out/redocly.txt" | head -20
  fi
else
  echo "checkers: redocly: skipped (npm package @redocly/cli not in $TOOLS; run with CHECKERS_INSTALL=1)"
fi

# --- Prometheus metrics -------------------------------------------------------------------------------------
if command -v promtool >/dev/null; then
  curl -s -H 'Accept: text/plain; version=0.0.4' "$URL/q/metrics" -o "$out/metrics.txt"
  if promtool check metrics <"$out/metrics.txt" >"$out/promtool.txt" 2>&1; then
    echo "checkers: promtool check metrics: clean ($(grep -c '^# TYPE' "$out/metrics.txt") series families)"
  else
    failed=1; echo "checkers: promtool check metrics: $(wc -l <"$out/promtool.txt") problems"; head -20 "$out/promtool.txt"
  fi
  if grep -q "already registered" "${LOGDIR:-/tmp}/bench-checkers-$$.log"; then
    failed=1; echo "checkers: a meter registration warning was logged at start"
  fi
else
  echo "checkers: promtool: skipped (apt-get install prometheus)"
fi

# --- Lighthouse -------------------------------------------------------------------------------------------
if [ "${CHECKERS_LIGHTHOUSE:-1}" = 0 ]; then
  echo "checkers: lighthouse: skipped (CHECKERS_LIGHTHOUSE=0; about 6 min for every page in both schemes: bash bench/checkers.sh)"
elif [ -x "$TOOLS/node_modules/.bin/lighthouse" ] && [ -x /usr/bin/chromium ]; then
  # something inactive on every admin page, so that the faded-row case is measured
  auth=(-H "Authorization: Bearer $TOKEN" -H 'content-type: application/json')
  curl -s "${auth[@]}" -XPOST "$URL/api/servers" -d '{"name":"lh","alias":"lh","host":"127.0.0.1","user":"deploy","path":"/srv/app","active":false}' >/dev/null
  curl -s "${auth[@]}" -XPOST "$URL/api/users" -d '{"username":"lh-user","password":"lighthouse-1","role":"viewer","active":false}' >/dev/null
  curl -s "${auth[@]}" -XPOST "$URL/api/services" -d '{"name":"lh","kind":"tcp","target":"127.0.0.1:9","active":false}' >/dev/null
  cookie=$(curl -s -D - -o /dev/null -XPOST "$URL/login" -d 'username=admin&password=bench-admin-pass&next=/' \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(td_session=[^;]*\).*/\1/p' | tr -d '\r')
  worst=100
  for scheme in light dark; do
    flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
    [ "$scheme" = dark ] && flags="$flags --force-dark-mode"
    for page in ${LH_PAGES:-/login / /deployments /search?q=refused /servers /services /analytics /users /hooks /notifications /audit /account /help}; do
      headers="{\"Cookie\":\"$cookie\"}"
      [ "$page" = /login ] && headers='{}'
      timeout 180 "$TOOLS/node_modules/.bin/lighthouse" "$URL$page" --quiet --chrome-path=/usr/bin/chromium \
        --chrome-flags="$flags" --only-categories=accessibility,best-practices --extra-headers="$headers" \
        --output=json --output-path="$out/lh.json" >/dev/null 2>&1 || { echo "checkers: lighthouse $scheme $page: did not run"; failed=1; continue; }
      read -r a b < <(python3 -c "import json;c=json.load(open('$out/lh.json'))['categories'];print(round(c['accessibility']['score']*100),round(c['best-practices']['score']*100))")
      echo "checkers: lighthouse $scheme $page accessibility $a best-practices $b"
      for s in $a $b; do [ "$s" -lt "$worst" ] && worst=$s; done
      if [ "$a" -lt 100 ] || [ "$b" -lt 100 ]; then
        python3 -c "
import json;r=json.load(open('$out/lh.json'))
for k,v in r['audits'].items():
    if v.get('score') is not None and v['score']<1 and v.get('scoreDisplayMode') in ('binary','numeric'): print('    ', k, '-', v['title'])"
      fi
    done
  done
  echo "checkers: lighthouse lowest score: $worst"
  [ "$worst" -lt 100 ] && failed=1
else
  echo "checkers: lighthouse: skipped (npm package lighthouse not in $TOOLS, or no /usr/bin/chromium)"
fi
exit $failed
