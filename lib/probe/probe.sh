#!/bin/bash
# fleet-doctor-probe schema=1
# Fleet Doctor's instance probe: read-only, prints ONE line of JSON (< 2,400 bytes) describing why the ECS agent did
# or did not start. bash, coreutils, grep, sed, awk, curl, df, systemctl and rpm (dpkg-query on Debian/Ubuntu) only.
# Bounded: about 9 s at most.
# Field meanings: lib/probe/README.md. Test hooks (defaults = the real instance): FLEET_DOCTOR_ROOT (file prefix),
# FLEET_DOCTOR_IMDS_URL, FLEET_DOCTOR_AGENT_URL.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
export LC_ALL=C
# Stderr would eat into the 2,500 characters SSM keeps of the output: keep it quiet.
exec 2>/dev/null

ROOT="${FLEET_DOCTOR_ROOT:-}"
IMDS="${FLEET_DOCTOR_IMDS_URL:-http://169.254.169.254}"
IMDS="${IMDS%/}"
AGENT="${FLEET_DOCTOR_AGENT_URL:-http://localhost:51678}"
AGENT="${AGENT%/}"
LOG_DIR="$ROOT/var/log/ecs"
# Bytes read from the end of each log file: the lines that matter are the last ones, and a 200 MB log stays cheap.
TAIL_BYTES=16777216

# Milliseconds since the epoch: bash 5's EPOCHREALTIME saves a fork; bash 4 (Amazon Linux 2) asks date.
if [ -n "${EPOCHREALTIME:-}" ]; then
  now_ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
else
  now_ms() { date +%s%3N; }
fi
START_MS=$(now_ms)
# Every step starts before START + 7.5 s and is cut at its own cap; the rest of the 10 s is slack for a loaded
# machine, rendering and process start.
DEADLINE_MS=$((START_MS + 7500))
left_ms() { echo $((DEADLINE_MS - $(now_ms))); }

# One fact per line, "name<TAB>value", read by the renderer at the end. Newlines in values become spaces.
rec() {
  local v="${2-}"
  v="${v//$'\n'/ }"
  printf '%s\t%s\n' "$1" "$v"
}

skip() { rec skipped "$1"; }

# Seconds (with decimals) a step may take: its own cap, or what is left of the budget, whichever is less.
budget_s() {
  local cap_ms=$1 left
  left=$(left_ms)
  [ "$left" -lt "$cap_ms" ] && cap_ms=$left
  if [ "$cap_ms" -lt 200 ]; then echo 0; return; fi
  printf '%d.%03d' $((cap_ms / 1000)) $((cap_ms % 1000))
}

# http METHOD URL CAP_MS [curl args...]: sets HTTP_CODE (status number, or timeout/refused/error/skipped) and HTTP_BODY.
http() {
  local method=$1 url=$2 cap=$3 t out rc
  shift 3
  HTTP_BODY=""
  t=$(budget_s "$cap")
  if [ "$t" = 0 ]; then HTTP_CODE=skipped; return; fi
  out=$(curl -s --noproxy '*' -X "$method" --connect-timeout 1 --max-time "$t" --max-filesize 65536 \
    -w '\n%{http_code}' "$@" "$url")
  rc=$?
  case $rc in
    0)
      HTTP_CODE="${out##*$'\n'}"
      HTTP_BODY="${out%$'\n'*}"
      case $HTTP_CODE in '' | *[!0-9]*) HTTP_CODE=error ;; esac
      ;;
    7) HTTP_CODE=refused ;;
    28) HTTP_CODE=timeout ;;
    *) HTTP_CODE=error ;;
  esac
}

# Rotated files of log $1, newest first, at most $2. Hourly ones (NAME.YYYY-MM-DD-HH) sort by name, which is their
# age whatever their mtime; size-rotated ones (NAME.1, NAME.2) by mtime. If both kinds exist, the kind written last.
rotated() {
  local dated numbered
  dated=$(ls -1d -- "$LOG_DIR/$1".[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]* | grep -v -E '\.(gz|xz|bz2|zst)$' |
    sort -r | head -n "$2")
  numbered=$(ls -1td -- "$LOG_DIR/$1".* | grep -v -E '\.[0-9]{4}-[0-9]{2}-[0-9]{2}|\.(gz|xz|bz2|zst)$' | head -n "$2")
  if [ -z "$dated" ]; then
    printf '%s\n' "$numbered"
  elif [ -z "$numbered" ] || [ "${dated%%$'\n'*}" -nt "${numbered%%$'\n'*}" ]; then
    printf '%s\n' "$dated"
  else
    printf '%s\n' "$numbered"
  fi
}

# awk functions shared by the ecs.config and unit readers: which of the addresses the agent must reach directly a
# NO_PROXY value does not cover (as Go's net/http reads it: comma-separated, spaces trimmed, "*", exact or CIDR).
# Only these addresses are ever printed, never a value (a proxy URL may carry credentials).
AWK_NOPROXY='
  function ip2n(s,   p) { split(s, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
  function covers(np, addr,   n, it, i, x, q, m) {
    n = split(np, it, ",")
    for (i = 1; i <= n; i++) {
      x = it[i]; gsub(/^[ \t]+|[ \t]+$/, "", x)
      if (x == "*" || x == addr) return 1
      if (addr ~ /^[0-9.]+$/ && x ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\/[0-9]+$/) {
        split(x, q, "/"); if (q[2] + 0 > 32) continue
        m = 2 ^ (32 - q[2]); if (int(ip2n(addr) / m) == int(ip2n(q[1]) / m)) return 1
      }
    }
    return 0
  }
  function missing(np,   a, o, i) {
    split("169.254.169.254 169.254.170.2 /var/run/docker.sock", a, " "); o = ""
    for (i = 1; i <= 3; i++) if (!covers(np, a[i])) o = o (o == "" ? "" : " ") a[i]
    return o
  }
'

collect() {
  rec at "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

  # --- IMDS: token (v2), then the lifecycle state and the instance id, with or without the token (v1 fallback).
  local token="" hdr=()
  http PUT "$IMDS/latest/api/token" 2000 -H "X-aws-ec2-metadata-token-ttl-seconds: 60"
  if [ "$HTTP_CODE" = 200 ] && [ -n "$HTTP_BODY" ]; then
    rec imds.token ok
    token="$HTTP_BODY"
    hdr=(-H "X-aws-ec2-metadata-token: $token")
  else
    rec imds.token "$HTTP_CODE"
  fi
  local lc_cap=2000
  [ "$HTTP_CODE" = timeout ] && lc_cap=1500
  http GET "$IMDS/latest/meta-data/autoscaling/target-lifecycle-state" "$lc_cap" ${hdr[@]+"${hdr[@]}"}
  rec imds.lc "$HTTP_CODE"
  [ "$HTTP_CODE" = 200 ] && rec imds.state "$(printf '%s' "$HTTP_BODY" | tr -cd 'A-Za-z0-9:_.-' | head -c 48)"
  if [ "$HTTP_CODE" = timeout ]; then
    # IMDS is not answering: do not spend another 2 s on the instance id.
    rec imds.id skipped
    skip imds.id
  else
    http GET "$IMDS/latest/meta-data/instance-id" 1500 ${hdr[@]+"${hdr[@]}"}
    rec imds.id "$HTTP_CODE"
    [ "$HTTP_CODE" = 200 ] && rec id "$(printf '%s' "$HTTP_BODY" | tr -cd 'A-Za-z0-9-' | head -c 32)"
  fi

  # --- ecs.config, read as ecs-init reads it (docker.go getEnvVars): /var/lib/ecs/ecs.config, then /etc/ecs/ecs.config;
  # each line trimmed and split at the first "="; no unquoting, no comment stripping; the last occurrence wins.
  local files=() f i=0
  for f in /var/lib/ecs/ecs.config /etc/ecs/ecs.config; do
    if [ -f "$ROOT$f" ] && [ -r "$ROOT$f" ]; then
      rec cfg.file "$f"
      files+=("$ROOT$f")
    fi
  done
  if [ ${#files[@]} -gt 0 ]; then
    for f in "${files[@]}"; do
      printf '\036%d\n' "$i"
      head -c 262144 "$f" | tr -d '\000'
      printf '\n'
      i=$((i + 1))
    done | awk "$AWK_NOPROXY"'
      BEGIN {
        na = split("ECS_CLUSTER ECS_WARM_POOLS_CHECK ECS_ENABLE_SPOT_INSTANCE_DRAINING ECS_IMAGE_PULL_BEHAVIOR ECS_LOGLEVEL ECS_LOG_OUTPUT_FORMAT ECS_LOG_ROLLOVER_TYPE ECS_CHECKPOINT AWS_DEFAULT_REGION", a, " ")
        for (i = 1; i <= na; i++) allow[a[i]] = 1
      }
      /^\036[0-9]+$/ { fi = substr($0, 2); ln = 0; next }
      {
        ln++
        s = $0
        gsub(/^[ \t\r\v\f]+|[ \t\r\v\f]+$/, "", s)
        p = index(s, "=")
        if (p == 0) next
        k = substr(s, 1, p - 1)
        if (k in allow) { val[k] = substr(s, p + 1); vf[k] = fi; vl[k] = ln; next }
        if (k == "") next
        seen[k] = 1
        if (toupper(k) ~ /^(HTTPS?|NO)_PROXY$/) px[k] = substr(s, p + 1)
        u = toupper(k)
        sub(/^\357\273\277/, "", u)
        sub(/^EXPORT[ \t]+/, "", u)
        gsub(/^["\047 \t]+|["\047 \t]+$/, "", u)
        if (substr(k, 1, 1) != "#" && (u in allow)) odd[u] = 1
      }
      END {
        n = 0
        for (k in seen) n++
        print "cfg.other\t" n
        # In allowlist order, so that every awk prints the same line.
        for (i = 1; i <= na; i++) if (a[i] in val) print "cfg.key\t" a[i] "\t" vf[a[i]] "\t" vl[a[i]] "\t" substr(val[a[i]], 1, 400)
        for (i = 1; i <= na; i++) if (a[i] in odd) print "cfg.odd\t" a[i]
        # A proxy for the agent (ecs-init hands every key to its container); NO_PROXY in either case.
        proxy = 0; np = ""
        for (k in px) {
          if (toupper(k) == "NO_PROXY") np = np "," px[k]
          else if (px[k] != "") proxy = 1
        }
        if (proxy) print "proxy.config\t" missing(np)
      }'
  else
    rec cfg.other 0
  fi

  # --- Logs: the newest few rotated agent files (hourly or size-rotated, by mtime), the current one, then ecs-init's.
  local agent_files=() init_files=() name tailed size list
  list=$(rotated ecs-agent.log 3)
  while IFS= read -r f; do [ -n "$f" ] && agent_files=("$f" ${agent_files[@]+"${agent_files[@]}"}); done <<<"$list"
  [ -f "$LOG_DIR/ecs-agent.log" ] && agent_files+=("$LOG_DIR/ecs-agent.log")
  list=$(rotated ecs-init.log 1)
  [ -n "$list" ] && init_files+=("$list")
  [ -f "$LOG_DIR/ecs-init.log" ] && init_files+=("$LOG_DIR/ecs-init.log")

  local pat='Could not determine target lifecycle|^[[:space:]]*status code: [0-9]|Waiting for instance to go InService|egistration completed successfully|Restored from checkpoint file|Amazon ECS agent Version|level="?(crit|critical|error|fatal)|"level": ?"(crit|critical|error|fatal)"|\[(CRIT|CRITICAL|ERROR|FATAL)\]|infer region|Missing required fields: AWSRegion|valid credentials|IMDS role found|refresh cached credentials|NoCredentialProviders|failed to get API token|register as a container instance|registering container instance|register container instance|new task engine|Data mismatch; saved cluster|supported docker versions|Cannot connect to the Docker daemon|cgroup root|Cloud-init failure detected|Cluster not found|is too old|no space left on device|Signature not yet current|instance type does not match|ACS endpoint|to connect to ACS|ACS Connection hasn.t|ACS Web[Ss]ocket connection closed|xited with code|terminal exit code|ECS Agent failed to start'
  local kind
  {
    for kind in agent init; do
      if [ "$kind" = agent ]; then set -- ${agent_files[@]+"${agent_files[@]}"}; else set -- ${init_files[@]+"${init_files[@]}"}; fi
      for f in "$@"; do
        [ -f "$f" ] && [ -r "$f" ] || continue
        t=$(budget_s 3000)
        if [ "$t" = 0 ]; then
          printf 'skip\tlogs\n'
          break 2
        fi
        name="${f##*/}"
        size=$(stat -c %s -- "$f")
        tailed=0
        [ "${size:-0}" -gt "$TAIL_BYTES" ] && tailed=1
        printf '@FILE\t%s\t%s\t%s\n' "$kind" "$tailed" "$name"
        tail -c "$TAIL_BYTES" -- "$f" | tr -d '\000' | timeout "$t" grep -a -n -E "$pat" |
          grep -a -v -F 'health check [HEAD' | cut -c 1-2000 | tail -n 3000
      done
    done
  } | awk '
    function ts(s) {
      if (match(s, /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9](\.[0-9]+)?(Z|[+-][0-9][0-9]:?[0-9][0-9])?/))
        return substr(s, RSTART, RLENGTH)
      return ""
    }
    function put(k, withText) {
      out[k ".file"] = file; out[k ".n"] = n; out[k ".t"] = ts(line)
      if (withText) out[k ".text"] = line
      has[k] = 1
    }
    function num(re, s) {
      if (match(s, re)) { s = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); return s }
      return ""
    }
    function kindOf(s) {
      # The specific causes first: their lines also carry a generic registration, Docker or task engine message.
      if (s ~ /ClientException: Cluster not found/) return "cluster-not-found"
      if (s ~ /The current instance type does not match the registered instance type/) return "instance-type"
      if (s ~ /Signature not yet current/) return "clock-skew"
      if (s ~ /client version [0-9.]+ is too old|is too old\. Minimum supported API version/) return "docker-api"
      if (s ~ /no space left on device/) return "disk-full"
      if (s ~ /Data mismatch; saved cluster/) return "state-mismatch"
      if (s ~ /to infer region|Missing required fields: AWSRegion/) return "imds-region"
      if (s ~ /Error getting valid credentials|no EC2 IMDS role found|failed to refresh cached credentials|NoCredentialProviders|failed to get API token/) return "credentials"
      if (s ~ /Cloud-init failure detected/) return "cloud-init"
      if (s ~ /Unable to initialize cgroup root/) return "cgroups"
      if (s ~ /Could not get supported docker versions|Cannot connect to the Docker daemon/) return "docker"
      if (s ~ /Unable to initialize new task engine/) return "task-engine"
      if (s ~ /Unable to register as a container instance|Error registering container instance|unable to register container instance/) return "registration"
      return ""
    }
    /^@FILE\t/ {
      split($0, a, "\t"); kind = a[2]; tailed = a[3]; file = substr($0, length(a[1] a[2] a[3]) + 4)
      print "logs.file\t" file
      if (tailed == 1) print "logs.tailed\t" file
      next
    }
    /^skip\t/ { print "skipped\tlogs"; next }
    {
      p = index($0, ":"); n = substr($0, 1, p - 1) + 0; line = substr($0, p + 1)
      sub(/\r$/, "", line)
      if (tailed == 1 && n == 1) next
      if (kind == "init") {
        if (line ~ /xited with code|terminal exit code|ECS Agent failed to start/) {
          put("init", 1); out["init.code"] = num("(exit code|exited with code):? *[0-9]+", line)
        }
        next
      }
      if (line ~ /Could not determine target lifecycle of instance/) {
        put("lifecycle", 1); out["lifecycle.code"] = num("[Ss]tatus ?[Cc]ode: *[0-9]+", line); lcCount++
        lcFile = file; lcN = n
        next
      }
      # Agents before 1.89.3 (AWS SDK v1) put the code on the next line: "<TAB>status code: 404, request id: ".
      if (file == lcFile && n == lcN + 1 && out["lifecycle.code"] == "" && line ~ /^[ \t]*status code: *[0-9]+/) {
        out["lifecycle.code"] = num("status code: *[0-9]+", line)
        next
      }
      if (line ~ /Waiting for instance to go InService/) { put("waiting", 0); next }
      if (line ~ /[Rr]egistration completed successfully|Restored from checkpoint file/) { put("registered", 1); next }
      if (line ~ /Amazon ECS agent Version/) {
        put("started", 0)
        if (match(line, /Amazon ECS agent Version: *v?[0-9]+\.[0-9]+\.[0-9]+/)) {
          v = substr(line, RSTART, RLENGTH); sub(/.*Version: *v?/, "", v); out["started.version"] = v
        }
        next
      }
      # ACS lines are also error lines (Failed to connect): recorded, then read on.
      if (line ~ /Connected to ACS endpoint/) { put("acs", 1); out["acs.state"] = "connected" }
      else if (line ~ /Failed to connect to ACS/) { put("acs", 1); out["acs.state"] = "failed" }
      else if (line ~ /ACS Connection hasn.t had any activity for too long/) { put("acs", 1); out["acs.state"] = "idle" }
      else if (line ~ /ACS Web[Ss]ocket connection closed/) { put("acs", 1); out["acs.state"] = "closed" }
      k = kindOf(line)
      if (k != "") { put("failure", 1); out["failure.kind"] = k }
      if (line ~ /level="?(crit|critical|error|fatal)([^a-z]|$)|"level": ?"(crit|critical|error|fatal)"|\[(CRIT|CRITICAL|ERROR|FATAL)\]/)
        put("error", 1)
    }
    END {
      if (lcCount) out["lifecycle.count"] = lcCount
      for (k in out) print "logs." k "\t" out[k]
    }'

  # --- OS and boot time.
  if [ -r "$ROOT/etc/os-release" ]; then
    sed -n -e 's/^ID=\(.*\)$/os.id\t\1/p' -e 's/^VERSION_ID=\(.*\)$/os.version\t\1/p' "$ROOT/etc/os-release" |
      tr -d "\"'" | head -n 2
  fi
  local btime
  btime=$(sed -n 's/^btime \([0-9][0-9]*\)$/\1/p' "$ROOT/proc/stat" | head -n 1)
  [ -n "$btime" ] && rec os.boot "$(date -u -d "@$btime" +%Y-%m-%dT%H:%M:%SZ)"

  # --- Introspection: only answers once the agent has registered.
  http GET "$AGENT/v1/metadata" 2000
  rec agent.code "$HTTP_CODE"
  if [ "$HTTP_CODE" = 200 ]; then
    local body="${HTTP_BODY:0:4096}"
    rec agent.cluster "$(printf '%s' "$body" | sed -n 's/.*"Cluster"[ ]*:[ ]*"\([^"]*\)".*/\1/p' | head -n 1)"
    rec agent.arn "$(printf '%s' "$body" | sed -n 's/.*"ContainerInstanceArn"[ ]*:[ ]*"\([^"]*\)".*/\1/p' | head -n 1)"
    rec agent.version "$(printf '%s' "$body" | sed -n 's/.*"Version"[ ]*:[ ]*"\([^"]*\)".*/\1/p' | head -n 1)"
  fi
  # --- Service state.
  local init=unknown out t
  if [ -d "$ROOT/run/systemd/system" ] || command -v systemctl >/dev/null; then
    t=$(budget_s 2000)
    if [ "$t" != 0 ]; then
      out=$(timeout "$t" systemctl show ecs --no-pager \
        --property=LoadState,ActiveState,SubState,Result,ExecMainStatus,NRestarts,ExecMainStartTimestamp,ExecMainExitTimestamp,StateChangeTimestamp,UnitFileState,FragmentPath,RestartPreventExitStatus,Environment)
      if printf '%s\n' "$out" | grep -q '^ActiveState='; then
        init=systemd
        # Environment is read only for proxy variables and never reported: its values may hold secrets.
        printf '%s\n' "$out" | grep -v '^Environment=' | sed -n 's/^\([A-Za-z]*\)=\(.*\)$/svc.\1\t\2/p' | head -n 20
        printf '%s\n' "$out" | sed -n 's/^Environment=//p' | head -n 1 | head -c 65536 | awk "$AWK_NOPROXY"'
          {
            # systemd prints the assignments space-separated, quoting one that holds a space.
            proxy = 0; np = ""; n = split($0, w, " ")
            for (i = 1; i <= n; i++) {
              x = w[i]; gsub(/^"|"$/, "", x); p = index(x, "="); if (p < 2) continue
              k = toupper(substr(x, 1, p - 1)); val = substr(x, p + 1)
              if (k == "NO_PROXY") np = np "," val
              else if ((k == "HTTP_PROXY" || k == "HTTPS_PROXY") && val != "") proxy = 1
            }
            if (proxy) print "proxy.unit\t" missing(np)
          }'
      else
        skip service
      fi
    else
      skip service
    fi
    [ "$init" = unknown ] && [ -d "$ROOT/run/systemd/system" ] && init=systemd
    # The units the agent needs: one call, one blank-line separated block per unit, properties in systemd's order.
    if [ "$init" = systemd ]; then
      t=$(budget_s 1500)
      if [ "$t" != 0 ]; then
        out=$(timeout "$t" systemctl show docker containerd --no-pager --property=Id,LoadState,ActiveState,SubState,Result)
        [ $? = 124 ] && skip deps
        printf '%s\n' "${out:0:65536}" | awk -v RS= '{
            n = split($0, l, "\n"); u = ""
            for (i = 1; i <= n; i++) if (l[i] ~ /^Id=(docker|containerd)\.service$/) { u = substr(l[i], 4); sub(/\.service$/, "", u) }
            if (u == "") next
            for (i = 1; i <= n; i++) if (l[i] ~ /^(LoadState|ActiveState|SubState|Result)=/) {
              p = index(l[i], "="); print "dep." u "." substr(l[i], 1, p - 1) "\t" substr(l[i], p + 1)
            }
          }'
      else
        skip deps
      fi
    fi
  fi
  if [ "$init" = unknown ] && command -v initctl >/dev/null; then
    init=upstart
    t=$(budget_s 2000)
    if [ "$t" != 0 ]; then
      out=$(timeout "$t" initctl status ecs | head -n 1)
      rec svc.upstart "$out"
    fi
  fi
  rec svc.init "$init"

  # --- Installed ecs-init: rpm (Amazon Linux), else dpkg-query (the generic deb on Debian and Ubuntu).
  local pkg=""
  if command -v rpm >/dev/null; then
    t=$(budget_s 2000)
    if [ "$t" != 0 ]; then
      out=$(timeout "$t" rpm -q ecs-init | head -n 1)
      case $out in
        ecs-init-[0-9]*) rec ecsinit "$out"; pkg=rpm ;;
        *"not installed"*) ;;
        *) skip rpm ;;
      esac
    else
      skip rpm
    fi
  fi
  if [ -z "$pkg" ] && command -v dpkg-query >/dev/null; then
    t=$(budget_s 1500)
    if [ "$t" != 0 ]; then
      out=$(timeout "$t" dpkg-query -W -f='${Version}' ecs-init | head -c 200)
      case $out in [0-9]*) rec deb "$(printf '%s' "$out" | tr -cd 'A-Za-z0-9.+~:-' | head -c 40)" ;; esac
    else
      skip dpkg
    fi
  fi

  # --- Free space and inodes where the agent writes: df -P of each path that exists, blocks then inodes.
  local dpaths=() dargs=() p kb="" ino=""
  for p in / /var/lib/docker /var/lib/ecs; do
    if [ -d "$ROOT$p" ]; then
      dpaths+=("$p")
      dargs+=("$ROOT$p")
    fi
  done
  t=$(budget_s 1500)
  if [ ${#dpaths[@]} -eq 0 ]; then
    :
  elif [ "$t" != 0 ]; then
    kb=$(timeout "$t" df -P -k "${dargs[@]}")
    [ $? = 124 ] && skip df
    t=$(budget_s 1500)
    if [ "$t" != 0 ]; then
      ino=$(timeout "$t" df -P -i "${dargs[@]}")
      [ $? = 124 ] && skip df
    fi
    kb=$(printf '%s\n' "$kb" | head -n 8)
    ino=$(printf '%s\n' "$ino" | head -n 8)
    { printf '%s\n' "${dpaths[@]}" $'\036' "$kb" $'\036' "$ino"; } | awk '
      /^\036$/ { sec++; next }
      sec == 0 { path[++np] = $0; next }
      $1 == "Filesystem" || NF < 6 { next }
      sec == 1 {
        n++; m = $6; for (i = 7; i <= NF; i++) m = m " " $i
        mount[n] = m; free[n] = $4; use[n] = $5; sub(/%$/, "", use[n])
        next
      }
      sec == 2 { ni++; iu[ni] = $5; sub(/%$/, "", iu[ni]) }
      END {
        # A path whose df failed would shift the lines: then nothing is reported rather than a wrong pairing.
        if (n != np) exit
        for (i = 1; i <= n; i++) print "disk\t" path[i] "\t" mount[i] "\t" free[i] "\t" use[i] "\t" (ni == np ? iu[i] : "-")
      }'
  else
    skip df
  fi

  rec ms $(($(now_ms) - START_MS))
}

# The renderer: facts in, one JSON line out. Every string is escaped (quotes, backslashes, control characters, ANSI
# escapes removed, invalid UTF-8 replaced by "?") and capped; caps shrink until the line fits in MAX bytes (the long
# texts first).
render() {
  awk -v MAX=2390 '
    BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i; FS = "\n" }
    {
      p = index($0, "\t"); if (p == 0) next
      k = substr($0, 1, p - 1); val = substr($0, p + 1)
      if (k == "cfg.file" || k == "cfg.key" || k == "cfg.odd" || k == "logs.file" || k == "logs.tailed" || k == "skipped" || k == "disk") {
        if (k == "skipped") { if (val in seenSkip) next; seenSkip[val] = 1 }
        list[k, ++cnt[k]] = val
      } else v[k] = val
    }
    function esc(s, cap,   n, i, b, t, adv, len, k, cb, ok, lo, hi, out, used, cut, tok, tn) {
      gsub(/\033\[[0-9;?]*[ -\/]*[@-~]/, "", s)
      gsub(/\033\][^\007\033]*(\007|\033\\)/, "", s)
      gsub(/\033[@-_]/, "", s)
      if (cap >= 150) cap = int(cap * G)
      cap = int(cap * F); if (cap < 8) cap = 8
      n = length(s); if (n > cap + 8) n = cap + 8
      i = 1; used = 0; cut = 0; tn = 0
      while (i <= n) {
        b = ord[substr(s, i, 1)]; adv = 1
        if (b == 34) t = "\\\""
        else if (b == 92) t = "\\\\"
        else if (b == 9) t = "\\t"
        else if (b < 32 || b == 127) t = sprintf("\\u%04x", b)
        else if (b < 128) t = substr(s, i, 1)
        else {
          len = (b >= 194 && b <= 223) ? 2 : (b >= 224 && b <= 239) ? 3 : (b >= 240 && b <= 244) ? 4 : 0
          ok = len > 0 && i + len - 1 <= length(s)
          for (k = 1; ok && k < len; k++) {
            cb = ord[substr(s, i + k, 1)]; lo = 128; hi = 191
            if (k == 1 && b == 224) lo = 160
            if (k == 1 && b == 237) hi = 159
            if (k == 1 && b == 240) lo = 144
            if (k == 1 && b == 244) hi = 143
            if (cb < lo || cb > hi) ok = 0
          }
          if (ok) { t = substr(s, i, len); adv = len } else t = "?"
        }
        if (used + length(t) > cap) { cut = 1; break }
        tok[++tn] = t; used += length(t); i += adv
      }
      if (!cut && i <= length(s)) cut = 1
      if (cut) { while (tn > 0 && used + 3 > cap) { used -= length(tok[tn]); tn-- } }
      out = ""
      for (k = 1; k <= tn; k++) out = out tok[k]
      if (cut) out = out "\342\200\246"
      return "\"" out "\""
    }
    function str(k, cap) { return (k in v) && v[k] != "" ? esc(v[k], cap) : "null" }
    function num(s) { return s ~ /^-?[0-9]+$/ && length(s) < 10 ? s + 0 : "null" }
    function http(s) {
      if (s ~ /^[0-9]+$/ && length(s) <= 3) return s + 0
      if (s == "timeout" || s == "refused" || s == "skipped") return "\"" s "\""
      return "\"error\""
    }
    function item(name, fields, base,   o) {
      if (!(("logs." name ".n") in v)) return ""
      o = ",\"" name "\":{\"file\":" esc(v["logs." name ".file"], 64) ",\"n\":" num(v["logs." name ".n"])
      if (v["logs." name ".t"] != "") o = o ",\"t\":" esc(v["logs." name ".t"], 40)
      if (fields ~ /code/) o = o ",\"code\":" num(v["logs." name ".code"])
      if (fields ~ /count/) o = o ",\"count\":" (num(v["logs." name ".count"]) == "null" ? 1 : num(v["logs." name ".count"]))
      if (fields ~ /kind/) o = o ",\"kind\":\"" v["logs." name ".kind"] "\""
      if (fields ~ /state/) o = o ",\"state\":\"" v["logs." name ".state"] "\""
      if (fields ~ /version/ && v["logs." name ".version"] != "") o = o ",\"version\":" esc(v["logs." name ".version"], 32)
      if (fields ~ /text/) o = o ",\"text\":" esc(v["logs." name ".text"], base)
      return o "}"
    }
    function arr(k, cap,   o, i) {
      o = "["
      for (i = 1; i <= cnt[k] && i <= 8; i++) o = o (i > 1 ? "," : "") esc(list[k, i], cap)
      return o "]"
    }
    function unit(u,   o) {
      if (!(("dep." u ".LoadState") in v) && !(("dep." u ".ActiveState") in v)) return ""
      o = "\"" u "\":{\"load\":" str("dep." u ".LoadState", 40) ",\"active\":" str("dep." u ".ActiveState", 40)
      return o ",\"sub\":" str("dep." u ".SubState", 40) ",\"result\":" str("dep." u ".Result", 40) "}"
    }
    function deps(   d, c) {
      d = unit("docker"); c = unit("containerd")
      if (d == "" && c == "") return ""
      return ",\"deps\":{" d (d != "" && c != "" ? "," : "") c "}"
    }
    function pct(s) { return s ~ /^[0-9]+$/ && s + 0 <= 100 ? s + 0 : "null" }
    function disks(   o, i, f, n) {
      n = 0; o = ""
      for (i = 1; i <= cnt["disk"] && n < 3; i++) {
        split(list["disk", i], f, "\t")
        # A line df printed oddly (no number where one belongs) is left out rather than half-reported.
        if (f[3] !~ /^[0-9]+$/ || length(f[3]) > 15 || pct(f[4]) == "null") continue
        o = o (n++ ? "," : "") "{\"path\":" esc(f[1], 32) ",\"mount\":" esc(f[2], 64) ",\"free\":" (f[3] + 0)
        o = o ",\"use\":" pct(f[4]) ",\"iuse\":" pct(f[5]) "}"
      }
      return n ? ",\"disks\":[" o "]" : ""
    }
    function proxy(   o, w, miss, a, i, j, m, n, in1) {
      if (!("proxy.config" in v) && !("proxy.unit" in v)) return ""
      w = ("proxy.config" in v) ? "\"config\"" : ""
      if ("proxy.unit" in v) w = w (w != "" ? "," : "") "\"unit\""
      # What NO_PROXY misses wherever a proxy is set, in a fixed order.
      # (Read with "in" first: a bare v[k] would create the key for the next, shrunk, render.)
      miss = (("proxy.config" in v) ? v["proxy.config"] : "") " " (("proxy.unit" in v) ? v["proxy.unit"] : ""); o = ""
      split("169.254.169.254 169.254.170.2 /var/run/docker.sock", a, " ")
      n = split(miss, m, " ")
      for (i = 1; i <= 3; i++) {
        in1 = 0
        for (j = 1; j <= n; j++) if (m[j] == a[i]) in1 = 1
        if (in1) o = o (o != "" ? "," : "") "\"" a[i] "\""
      }
      return ",\"proxy\":{\"where\":[" w "],\"missing\":[" o "]}"
    }
    function render(   o, i, f, m, svc, st) {
      o = "{\"schema\":1,\"at\":" str("at", 40) ",\"ms\":" num(v["ms"]) ",\"instanceId\":" str("id", 32)
      o = o ",\"imds\":{\"token\":" (v["imds.token"] == "ok" ? "\"ok\"" : http(v["imds.token"]))
      o = o ",\"idCode\":" http(v["imds.id"]) ",\"lcCode\":" http(v["imds.lc"]) ",\"lcState\":" str("imds.state", 48) "}"
      o = o ",\"config\":{\"files\":" arr("cfg.file", 64) ",\"keys\":{"
      for (i = 1; i <= cnt["cfg.key"]; i++) {
        split(list["cfg.key", i], f, "\t")
        m = length(f[1] f[2] f[3]) + 4
        o = o (i > 1 ? "," : "") "\"" f[1] "\":[" esc(substr(list["cfg.key", i], m), (f[1] == "ECS_CLUSTER" ? 64 : 32)) "," num(f[2]) "," num(f[3]) "]"
      }
      o = o "},\"other\":" (num(v["cfg.other"]) == "null" ? 0 : num(v["cfg.other"]))
      if (cnt["cfg.odd"] > 0) o = o ",\"odd\":" arr("cfg.odd", 48)
      o = o "}"
      o = o ",\"service\":{\"init\":" esc(v["svc.init"] == "" ? "unknown" : v["svc.init"], 8)
      if (v["svc.init"] == "upstart") {
        st = v["svc.upstart"]
        o = o ",\"active\":" (st ~ /start\/running/ ? "\"active\"" : st == "" ? "null" : "\"inactive\"") ",\"sub\":" str("svc.upstart", 40)
      } else {
        o = o ",\"load\":" str("svc.LoadState", 40) ",\"active\":" str("svc.ActiveState", 40) ",\"sub\":" str("svc.SubState", 40)
        o = o ",\"result\":" str("svc.Result", 40) ",\"status\":" num(v["svc.ExecMainStatus"]) ",\"restarts\":" num(v["svc.NRestarts"])
        o = o ",\"started\":" str("svc.ExecMainStartTimestamp", 48) ",\"exited\":" str("svc.ExecMainExitTimestamp", 48)
        o = o ",\"changed\":" str("svc.StateChangeTimestamp", 48)
        o = o ",\"enabled\":" str("svc.UnitFileState", 24) ",\"unit\":" str("svc.FragmentPath", 120)
        o = o ",\"prevent\":" str("svc.RestartPreventExitStatus", 40)
      }
      o = o "},\"ecsInit\":" str("ecsinit", 80)
      if (v["deb"] != "") o = o ",\"deb\":" esc(v["deb"], 40)
      o = o deps() disks() proxy()
      o = o ",\"agent\":{\"code\":" http(v["agent.code"])
      if (v["agent.cluster"] != "") o = o ",\"cluster\":" esc(v["agent.cluster"], 128)
      if (v["agent.arn"] != "") o = o ",\"arn\":" esc(v["agent.arn"], 200)
      if (v["agent.version"] != "") o = o ",\"version\":" esc(v["agent.version"], 80)
      o = o "},\"logs\":{\"files\":" arr("logs.file", 64)
      if (cnt["logs.tailed"] > 0) o = o ",\"tailed\":" arr("logs.tailed", 64)
      o = o item("lifecycle", "code count text", 300) item("waiting", "", 0) item("registered", "text", 180)
      o = o item("started", "version", 0) item("error", "text", 300) item("failure", "kind text", 300)
      o = o item("acs", "state text", 240) item("init", "code text", 180) "}"
      o = o ",\"os\":{\"id\":" str("os.id", 32) ",\"version\":" str("os.version", 32) ",\"boot\":" str("os.boot", 40) "}"
      if (cnt["skipped"] > 0) o = o ",\"skipped\":" arr("skipped", 32)
      return o "}"
    }
    END {
      # Until the line fits: G first shortens the long texts (log lines, the ARN: caps of 150 and more) down to about
      # a quarter, so that versions, states and paths stay whole; then F scales every cap (at F small every string is
      # 8 bytes).
      F = 1; G = 1
      line = render()
      while (length(line) > MAX && F > 0.02) {
        if (G > 0.3) G = G * 0.8
        else F = F * 0.75
        line = render()
      }
      print line
    }'
}

collect | render
exit 0
