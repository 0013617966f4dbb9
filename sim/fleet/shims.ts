/**
 * `systemctl` and `rpm` for a host's sandbox: tiny bash scripts that hand their arguments to the simulator's host
 * model over HTTP (POST ${hostUrl}/shim/<tool>, one `a=<arg>` form field per argument) and print what it answers.
 * The answer is `<exit code> <stdout length>\n<stdout><stderr>` (ASCII only).
 */
function shim(tool: string, hostUrl: string): string {
  return `#!/bin/bash
# ${tool} shim of the Fleet Doctor simulator: the host model answers.
args=()
for a in "$@"; do args+=(--data-urlencode "a=$a"); done
resp=$(curl -sS --max-time 120 -X POST --data 'tool=${tool}' "\${args[@]}" '${hostUrl}/shim/${tool}'; printf x)
resp=\${resp%x}
case "$resp" in
  [0-9]*' '[0-9]*$'\\n'*) ;;
  *) echo "${tool}: simulator did not answer" >&2; exit 1 ;;
esac
head=\${resp%%$'\\n'*}
rest=\${resp#*$'\\n'}
code=\${head%% *}
len=\${head#* }
printf '%s' "\${rest:0:len}"
if [ -n "\${rest:len}" ]; then printf '%s' "\${rest:len}" >&2; fi
exit "$code"
`;
}

export function shimScripts(hostUrl: string): Record<string, string> {
  return { systemctl: shim("systemctl", hostUrl), rpm: shim("rpm", hostUrl) };
}
