#!/usr/bin/env bash
# Cold start of the built distribution to the first answered admin API request, and its idle RSS.
# Usage: bench/startup.sh [path/to/mooring-karaf-assembly-*.zip]   (after ./mvnw install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
zip=${1:-$(ls karaf-assembly/target/mooring-karaf-assembly-*.zip | head -1)}
work=$(mktemp -d)
stop() {
  # bin/karaf runs Java as a child: stop the server itself, then make sure nothing of it is left
  [ -n "${home:-}" ] && "$home/bin/stop" >/dev/null 2>&1 || true
  sleep 2
  [ -n "${home:-}" ] && pkill -f "karaf.base=${home%/}" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
unzip -q "$zip" -d "$work"
home=$(ls -d "$work"/*/)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s/^org.osgi.service.http.port = .*/org.osgi.service.http.port = $port/" "$home/etc/org.ops4j.pax.web.cfg"
sed -i "s/^initial.password =.*/initial.password = bench-password-0123/" "$home/etc/io.mooring.admin.cfg"
sed -i "s/^sshPort = .*/sshPort = 0/" "$home/etc/org.apache.karaf.shell.cfg"
tls=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "tls.port = $tls" > "$home/etc/io.mooring.pki.cfg"
start=$(date +%s.%N)
"$home/bin/karaf" server > "$work/out.log" 2>&1 &
pid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' -u admin:bench-password-0123 "http://127.0.0.1:$port/api/v1/platforms")" = "200" ]; do
  sleep 0.1
  if [ "$(echo "$(date +%s.%N) - $start > 120" | bc)" = "1" ]; then echo "no answer within 120 s"; exit 1; fi
done
first=$(echo "$(date +%s.%N) - $start" | bc)
sleep 20
java_pid=$(pgrep -f "karaf.base=$home" | head -1 || pgrep -P "$pid" java | head -1)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$java_pid/status")
printf 'cold start to first answered API request: %.1f s\nidle RSS after 20 s: %d MB\n' "$first" "$((rss_kb / 1024))"
