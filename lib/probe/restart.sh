#!/bin/bash
# fleet-doctor-restart schema=1 mode=restart
FD_MODE=restart
FD_WAIT=90
# Restarts the ECS agent the way its init system expects, then waits (bounded) until the agent registers
# (introspection answers with a ContainerInstanceArn) or fails again (service failed, or a new critical line in
# the agent log), and prints one line of JSON. In mode disable-check-and-restart it first sets
# ECS_WARM_POOLS_CHECK=false in /etc/ecs/ecs.config, keeping a dated backup.
# Lines 2-4 are the only ones Fleet Doctor changes before sending (lib/probe/restart-script.ts): a fixed mode and a
# validated integer. Nothing else is ever substituted. Test hooks, defaults being the real instance:
# FLEET_DOCTOR_ROOT (file prefix), FLEET_DOCTOR_AGENT_URL (introspection), FLEET_DOCTOR_RESTART_WAIT or $1 (seconds).
set -u
export LC_ALL=C
ROOT="${FLEET_DOCTOR_ROOT:-}"
AGENT_URL="${FLEET_DOCTOR_AGENT_URL:-http://localhost:51678}"
WAIT="${1:-${FLEET_DOCTOR_RESTART_WAIT:-$FD_WAIT}}"
case "$WAIT" in '' | *[!0-9]*) WAIT=$FD_WAIT ;; esac
[ "$WAIT" -gt 900 ] && WAIT=900
LOG="$ROOT/var/log/ecs/ecs-agent.log"
CONFIG="$ROOT/etc/ecs/ecs.config"
KEY=ECS_WARM_POOLS_CHECK
STARTED=$(date +%s)

# A JSON string literal of $1: escaped, control characters dropped, cut to 400 bytes.
json_str() {
  local s="${1:0:400}"
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/}
  s=${s//$'\n'/\\n}
  s=$(printf '%s' "$s" | tr -d '\000-\010\013-\037\177')
  printf '"%s"' "$s"
}
json_or_null() { if [ -n "$1" ]; then json_str "$1"; else printf 'null'; fi; }

INIT=unknown
if command -v systemctl >/dev/null 2>&1; then
  INIT=systemd
elif command -v initctl >/dev/null 2>&1; then
  INIT=upstart
fi

# The ecs service state as {"active","sub","result","status"} (upstart: its goal/state in "active").
service_state() {
  local active="" sub="" result="" status="" line
  if [ "$INIT" = systemd ]; then
    while IFS= read -r line; do
      case "$line" in
        ActiveState=*) active=${line#*=} ;;
        SubState=*) sub=${line#*=} ;;
        Result=*) result=${line#*=} ;;
        ExecMainStatus=*) status=${line#*=} ;;
      esac
    done < <(timeout 10 systemctl show ecs --property=ActiveState,SubState,Result,ExecMainStatus 2>/dev/null)
  elif [ "$INIT" = upstart ]; then
    line=$(timeout 10 initctl status ecs 2>/dev/null | head -n 1)
    active=$(printf '%s' "$line" | sed -n 's/^ecs \([a-z]*\/[a-z-]*\).*/\1/p')
  fi
  printf '{"active":%s,"sub":%s,"result":%s,"status":%s}' "$(json_or_null "$active")" "$(json_or_null "$sub")" \
    "$(json_or_null "$result")" "$(json_or_null "$status")"
}

# True when the service has stopped on its own: systemd failed/inactive, upstart stop/*.
service_down() {
  local s
  if [ "$INIT" = systemd ]; then
    s=$(timeout 10 systemctl show ecs --property=ActiveState 2>/dev/null | sed -n 's/^ActiveState=//p' | head -n 1)
    case "$s" in failed | inactive) return 0 ;; esac
  elif [ "$INIT" = upstart ]; then
    s=$(timeout 10 initctl status ecs 2>/dev/null | head -n 1)
    case "$s" in "ecs stop/"*) return 0 ;; esac
  fi
  return 1
}

file_size() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo 0; fi; }
file_inode() { if [ -f "$1" ]; then ls -i "$1" 2>/dev/null | awk '{print $1}'; else echo none; fi; }

# Agent log written since the restart (the whole file if it was rotated or truncated meanwhile), capped.
new_log() {
  [ -f "$LOG" ] || return 0
  local size inode
  size=$(file_size "$LOG")
  inode=$(file_inode "$LOG")
  if [ "$inode" != "$LOG_INODE" ] || [ "$size" -lt "$LOG_OFFSET" ]; then
    tail -c 200000 "$LOG"
  else
    tail -c "+$((LOG_OFFSET + 1))" "$LOG" | tail -c 200000
  fi
}

CRITICAL='level=critical|"level":"critical"|\[CRITICAL\]|Could not determine target lifecycle of instance'

CONFIG_JSON=null
finish() {
  local outcome="$1" failure="$2" arn="$3" waiting="$4" exit_code="$5"
  printf '{"schema":1,"kind":"restart-report","mode":"%s","init":"%s","before":%s,"after":%s,"restartExit":%s,"outcome":"%s","registered":%s,"containerInstanceArn":%s,"failureLine":%s,"waiting":%s,"seconds":%s,"waitLimit":%s,"config":%s}\n' \
    "$FD_MODE" "$INIT" "$BEFORE" "$(service_state)" "$exit_code" "$outcome" \
    "$([ "$outcome" = registered ] && echo true || echo false)" "$(json_or_null "$arn")" "$(json_or_null "$failure")" \
    "$waiting" "$(($(date +%s) - STARTED))" "$WAIT" "$CONFIG_JSON"
  exit 0
}

BEFORE=$(service_state)

# Sets KEY=false: every line whose trimmed text starts with "KEY=" becomes "KEY=false" (ecs-init reads the last
# occurrence; all of them are set so none can win with true), or the line is appended. A dated copy is kept.
disable_check() {
  local previous="" backup="" tmp changed=true
  if [ -f "$CONFIG" ]; then
    previous=$(awk -v k="$KEY=" '{ t=$0; sub(/^[ \t]+/, "", t); sub(/[ \t\r]+$/, "", t); if (index(t, k) == 1) v = substr(t, length(k) + 1) } END { printf "%s", v }' "$CONFIG")
    backup="$CONFIG.bak.$(date -u +%Y%m%dT%H%M%SZ)"
    [ -e "$backup" ] && backup="$backup.$$"
    if ! cp -p "$CONFIG" "$backup"; then
      CONFIG_JSON=$(printf '{"file":%s,"error":"could not write the backup"}' "$(json_str "/etc/ecs/ecs.config")")
      finish config-error "" "" false null
    fi
    tmp=$(mktemp "$CONFIG.fleet-doctor.XXXXXX") || {
      CONFIG_JSON='{"file":"/etc/ecs/ecs.config","error":"could not create a temporary file"}'
      finish config-error "" "" false null
    }
    awk -v k="$KEY=" '{ t=$0; sub(/^[ \t]+/, "", t); if (index(t, k) == 1) { print k "false"; found = 1 } else print } END { if (!found) print k "false" }' "$CONFIG" >"$tmp"
    # Write in place so the file keeps its owner and mode.
    if ! cat "$tmp" >"$CONFIG"; then
      rm -f "$tmp"
      CONFIG_JSON='{"file":"/etc/ecs/ecs.config","error":"could not write the file"}'
      finish config-error "" "" false null
    fi
    rm -f "$tmp"
  else
    mkdir -p "$(dirname "$CONFIG")" && printf '%s=false\n' "$KEY" >"$CONFIG" || {
      CONFIG_JSON='{"file":"/etc/ecs/ecs.config","error":"could not create the file"}'
      finish config-error "" "" false null
    }
  fi
  [ "$previous" = false ] && changed=false
  local now
  now=$(awk -v k="$KEY=" '{ t=$0; sub(/^[ \t]+/, "", t); sub(/[ \t\r]+$/, "", t); if (index(t, k) == 1) v = substr(t, length(k) + 1) } END { printf "%s", v }' "$CONFIG")
  CONFIG_JSON=$(printf '{"file":"/etc/ecs/ecs.config","key":"%s","previous":%s,"value":%s,"backup":%s,"changed":%s}' \
    "$KEY" "$(json_or_null "$previous")" "$(json_or_null "$now")" "$(json_or_null "${backup#"$ROOT"}")" "$changed")
  [ "$now" = false ] || finish config-error "" "" false null
}

[ "$FD_MODE" = disable-check-and-restart ] && disable_check

[ "$INIT" = unknown ] && finish restart-error "neither systemctl nor initctl found" "" false null

LOG_OFFSET=$(file_size "$LOG")
LOG_INODE=$(file_inode "$LOG")
RESTART_EXIT=0
if [ "$INIT" = systemd ]; then
  timeout 60 systemctl restart ecs >/dev/null 2>&1 || RESTART_EXIT=$?
else
  timeout 60 initctl stop ecs >/dev/null 2>&1
  timeout 60 initctl start ecs >/dev/null 2>&1 || RESTART_EXIT=$?
fi

# Poll: registered wins; then a new critical line; then the service being down. Every 2 s, at most WAIT seconds.
while :; do
  body=$(curl -s --max-time 2 "$AGENT_URL/v1/metadata" 2>/dev/null)
  arn=$(printf '%s' "$body" | sed -n 's/.*"ContainerInstanceArn"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)
  [ -n "$arn" ] && finish registered "" "$arn" false "$RESTART_EXIT"
  recent=$(new_log)
  failure=$(printf '%s\n' "$recent" | grep -E "$CRITICAL" | tail -n 1)
  [ -n "$failure" ] && finish failed-again "$failure" "" false "$RESTART_EXIT"
  if service_down; then
    # Read the log again: the agent may have written its last line between the read above and its exit.
    recent=$(new_log)
    line=$(printf '%s\n' "$recent" | grep -E "$CRITICAL" | tail -n 1)
    [ -n "$line" ] || line=$(printf '%s\n' "$recent" | grep -E 'level=(error|critical)|"level":"(error|critical)"|\[(ERROR|CRITICAL)\]' | tail -n 1)
    finish failed-again "$line" "" false "$RESTART_EXIT"
  fi
  if [ $(($(date +%s) - STARTED)) -ge "$WAIT" ]; then
    waiting=false
    printf '%s\n' "$recent" | grep -q 'Waiting for instance to go InService' && waiting=true
    finish timeout "" "" "$waiting" "$RESTART_EXIT"
  fi
  sleep 2
done
