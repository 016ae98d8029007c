#!/usr/bin/env bash
# OMA-DM sessions per second sustained by the built distribution, with simulated Windows PCs on this machine,
# and the time for 15 policy commands to reach and be confirmed by all.
# Usage: bench/windows-sessions.sh [h2|postgres] [PCs] [seconds] [client threads] [tls|proxy]
#   (after ./mvnw install -DskipTests). tls: each PC straight to the HTTPS port with its client certificate;
#   proxy: PCs behind a TLS-terminating proxy that passes their client certificate on (both enroll over TLS).
#   WARMUP=seconds of uncounted rounds before measuring (60: on two cores the JIT needs that long to catch up).
#   ROUND_TRIPS=n (2): HTTP round trips per measured session. Above 2 the server puts one command in each message
#   (commands.per.message = 1) and each round queues n - 1 policies, so every session runs Alert -> one policy per
#   message -> the closing message.
set -euo pipefail
cd "$(dirname "$0")/.."
pcs=${2:-500}; seconds=${3:-30}; threads=${4:-16}; mode=${5:-tls}; trips=${ROUND_TRIPS:-2}
source bench/distribution.sh
configure() {
  sed -i "s|^server.url = .*|server.url = https://localhost:$tls|" "$home/etc/io.mooring.platform.windows.cfg"
  if [ "$trips" -gt 2 ]; then echo "commands.per.message = 1" >> "$home/etc/io.mooring.platform.windows.cfg"; fi
  if [ "$mode" = proxy ]; then echo "client.certificate.header = X-Client-Certificate" >> "$home/etc/io.mooring.platform.windows.cfg"; fi
  # DATASOURCE="key = value;..." adds pool settings to the datasource (to compare pool configurations)
  if [ -n "${DATASOURCE:-}" ]; then echo "$DATASOURCE" | tr ';' '\n' >> "$home/etc/org.ops4j.datasource-mooring.cfg"; fi
}
start_distribution "${1:-h2}"
echo "distribution up on $db; $pcs PCs, $seconds s, $threads client threads, $mode, $trips round trips a session"
measure ./mvnw -q -pl bench exec:java -Dbench=io.mooring.bench.WindowsSessionBenchmark -Dbench.warmup="${WARMUP:-60}" \
  -Dexec.args="http://127.0.0.1:$port/ bench-password-0123 $pcs $seconds $threads $tls $mode X-Client-Certificate $((trips > 2 ? trips - 1 : 1))"
write_profile
