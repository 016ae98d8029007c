#!/usr/bin/env bash
# OMA-DM sessions per second sustained by the built distribution, with simulated Windows PCs on this machine
# (HTTPS, each PC's client certificate), and the time for 15 policy commands to reach and be confirmed by all.
# Usage: bench/windows-sessions.sh [h2|postgres] [PCs] [seconds] [client threads]   (after ./mvnw install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
pcs=${2:-500}; seconds=${3:-30}; threads=${4:-16}
source bench/distribution.sh
configure() {
  sed -i "s|^server.url = .*|server.url = https://localhost:$tls|" "$home/etc/io.mooring.platform.windows.cfg"
  # DATASOURCE="key = value;..." adds pool settings to the datasource (to compare pool configurations)
  if [ -n "${DATASOURCE:-}" ]; then echo "$DATASOURCE" | tr ';' '\n' >> "$home/etc/org.ops4j.datasource-mooring.cfg"; fi
}
start_distribution "${1:-h2}"
echo "distribution up on $db; $pcs PCs, $seconds s, $threads client threads"
measure ./mvnw -q -pl bench exec:java -Dbench=io.mooring.bench.WindowsSessionBenchmark \
  -Dexec.args="http://127.0.0.1:$port/ bench-password-0123 $pcs $seconds $threads $tls"
write_profile
