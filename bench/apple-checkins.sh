#!/usr/bin/env bash
# Apple check-ins per second sustained by the built distribution, with simulated devices on this machine.
# Usage: bench/apple-checkins.sh [h2|postgres] [devices] [seconds] [client threads]   (after ./mvnw install -DskipTests)
# PostgreSQL: a database of its own on 127.0.0.1:5432 (user postgres), dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-h2}; devices=${2:-300}; seconds=${3:-30}; threads=${4:-16}
zip=$(ls karaf-assembly/target/mooring-karaf-assembly-*.zip | head -1)
work=$(mktemp -d)
pgdb="mooring_bench_$$"
stop() {
  [ -n "${home:-}" ] && "$home/bin/stop" >/dev/null 2>&1 || true
  sleep 2
  [ -n "${home:-}" ] && pkill -f "karaf.base=${home%/}" 2>/dev/null || true
  [ "$db" = postgres ] && dropdb -h 127.0.0.1 -U postgres --if-exists --force "$pgdb" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
unzip -q "$zip" -d "$work"
home=$(ls -d "$work"/*/)
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free); tls=$(free)
sed -i "s/^org.osgi.service.http.port = .*/org.osgi.service.http.port = $port/" "$home/etc/org.ops4j.pax.web.cfg"
sed -i "s/^initial.password =.*/initial.password = bench-password-0123/" "$home/etc/io.mooring.admin.cfg"
sed -i "s/^sshPort = .*/sshPort = 0/" "$home/etc/org.apache.karaf.shell.cfg"
printf 'tls.port = %s\nscep.url = http://127.0.0.1:%s/scep\n' "$tls" "$port" > "$home/etc/io.mooring.pki.cfg"
sed -i "s|^server.url = .*|server.url = https://localhost:$tls|" "$home/etc/io.mooring.platform.apple.cfg"
# pushes are not measured here: a closed local port makes every APNs connection fail at once
echo "gateway = 127.0.0.1:9" > "$home/etc/io.mooring.push.apns.cfg"
if [ "$db" = postgres ]; then
  createdb -h 127.0.0.1 -U postgres "$pgdb"
  cfg="$home/etc/org.ops4j.datasource-mooring.cfg"
  sed -i "s|^osgi.jdbc.driver.class = .*|osgi.jdbc.driver.class = org.postgresql.Driver|; s|^url = .*|url = jdbc:postgresql://127.0.0.1:5432/$pgdb?reWriteBatchedInserts=true|; s|^user = .*|user = postgres|" "$cfg"
fi
# PROFILE=file.jfr records the server with Java Flight Recorder during the run
if [ -n "${PROFILE:-}" ]; then export EXTRA_JAVA_OPTS="-XX:StartFlightRecording=name=bench,settings=profile"; fi
"$home/bin/karaf" server > "$work/out.log" 2>&1 &
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = "200" ]; do sleep 0.5; done
echo "distribution up on $db; $devices devices, $seconds s, $threads client threads"
./mvnw -q -pl bench exec:java -Dbench=io.mooring.bench.AppleCheckinBenchmark \
  -Dexec.args="http://127.0.0.1:$port/ bench-password-0123 $devices $seconds $threads"
if [ -n "${PROFILE:-}" ]; then
  jcmd "$(pgrep -f "karaf.base=${home%/}" | head -1)" JFR.dump name=bench filename="$(realpath -m "$PROFILE")" >/dev/null
  echo "server profile written to $PROFILE"
fi
