#!/usr/bin/env bash
# Apple check-ins per second sustained by the built distribution, with simulated devices on this machine.
# Usage: bench/apple-checkins.sh [h2|postgres] [devices] [seconds] [client threads] [proxy|signed]
#   (after ./mvnw install -DskipTests). proxy: devices behind a TLS-terminating proxy that passes their client
#   certificate on (the production setup); signed: devices straight to the HTTPS port, every message signed.
#   WARMUP=seconds of uncounted rounds before measuring (60: on two cores the JIT needs that long to catch up).
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${2:-300}; seconds=${3:-30}; threads=${4:-16}; mode=${5:-proxy}
source bench/distribution.sh
configure() {
  sed -i "s|^server.url = .*|server.url = https://localhost:$tls|" "$home/etc/io.mooring.platform.apple.cfg"
  echo "client.certificate.header = X-Client-Certificate" >> "$home/etc/io.mooring.platform.apple.cfg"
  # pushes are not measured here: a closed local port makes every APNs connection fail at once
  echo "gateway = 127.0.0.1:9" > "$home/etc/io.mooring.push.apns.cfg"
}
start_distribution "${1:-h2}"
echo "distribution up on $db; $devices devices, $seconds s, $threads client threads, $mode"
measure ./mvnw -q -pl bench exec:java -Dbench=io.mooring.bench.AppleCheckinBenchmark -Dbench.warmup="${WARMUP:-60}" \
  -Dexec.args="http://127.0.0.1:$port/ bench-password-0123 $devices $seconds $threads $mode X-Client-Certificate"
write_profile
