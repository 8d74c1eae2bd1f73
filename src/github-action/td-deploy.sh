#!/usr/bin/env bash
# The trigger-deploy action's step (action.yml passes its inputs as TD_* variables): fetch the td that matches the
# service, then deploy, wait and follow. td's exit code is the step's.
set -euo pipefail
: "${TD_URL:?the action needs the url input}"
: "${TD_SERVER:?the action needs the server input}"
jar="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/td-$$.jar"
trap 'rm -f "$jar"' EXIT
curl -fsSL --retry 3 --max-time 120 -o "$jar" "${TD_URL%/}/cli/td.jar"
args=(deploy "$TD_SERVER")
if [ -n "${TD_REF:-}" ]; then args+=(--ref "$TD_REF"); fi
while IFS= read -r line; do
  line="${line%$'\r'}"
  if [ -n "$line" ]; then args+=(--param "$line"); fi
done <<< "${TD_PARAMS:-}"
if [ "${TD_WAIT:-true}" = true ]; then args+=(--wait); fi
if [ "${TD_FOLLOW:-true}" = true ]; then args+=(--follow); fi
if [ -n "${TD_TIMEOUT:-}" ]; then args+=(--timeout "$TD_TIMEOUT"); fi
if [ -z "${TD_TOKEN:-}" ]; then unset TD_TOKEN; fi
if [ -z "${TD_AUDIENCE:-}" ]; then unset TD_AUDIENCE; fi
set +e
java -jar "$jar" "${args[@]}"
code=$?
exit "$code"
