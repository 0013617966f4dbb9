/**
 * `systemctl`, `df`, `rpm` or `dpkg-query` for a host's sandbox: tiny bash scripts that hand their arguments to the simulator's host
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

/** The tools the model answers: `df` everywhere; `rpm` on Amazon Linux, `dpkg-query` on Debian and Ubuntu. */
export function shimScripts(hostUrl: string, deb = false): Record<string, string> {
  const tools = ["systemctl", "df", deb ? "dpkg-query" : "rpm"];
  return Object.fromEntries(tools.map((t) => [t, shim(t, hostUrl)]));
}
