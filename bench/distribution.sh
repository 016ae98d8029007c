# Sourced by the benchmark scripts: unpacks the built distribution into a temporary folder, gives it free
# ports and a known admin password, points it at H2 or at a PostgreSQL database of its own
# (127.0.0.1:5432, user postgres, dropped afterwards), starts it and waits for /health. Sets $home, $port
# and $tls; `configure` (defined by the caller before `start_distribution`) edits etc/ before the start.
# PROFILE=file.jfr records the server with Java Flight Recorder (PROFILE_SETTINGS: bench/samples.jfc, method samples
# and thread CPU only, the default; or the JDK's profile or default, which cost far more) while the benchmark measures
# (from the line it prints starting with "measuring"; run it through `measure`); `write_profile` saves the recording.
# Even samples.jfc costs the server about a third of its throughput here. ASYNC_PROFILER=/path/to/libasyncProfiler.so
# (async-profiler; the jar tools.profiler:async-profiler on Maven Central holds it) samples instead, every 2 ms of
# CPU per thread, for a few percent, and PROFILE gets collapsed stacks (one line per stack, thread first).
set -euo pipefail
zip=$(ls karaf-assembly/target/mooring-karaf-assembly-*.zip | head -1)
work=$(mktemp -d)
pgdb="mooring_bench_$$"
stop() {
  [ -n "${home:-}" ] && "$home/bin/stop" >/dev/null 2>&1 || true
  sleep 2
  [ -n "${home:-}" ] && pkill -f "karaf.base=${home%/}" 2>/dev/null || true
  [ "${db:-h2}" = postgres ] && dropdb -h 127.0.0.1 -U postgres --if-exists --force "$pgdb" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_distribution() {
  db=$1
  unzip -q "$zip" -d "$work"
  home=$(ls -d "$work"/*/)
  port=$(free); tls=$(free)
  sed -i "s/^org.osgi.service.http.port = .*/org.osgi.service.http.port = $port/" "$home/etc/org.ops4j.pax.web.cfg"
  sed -i "s/^initial.password =.*/initial.password = bench-password-0123/" "$home/etc/io.mooring.admin.cfg"
  sed -i "s/^sshPort = .*/sshPort = 0/" "$home/etc/org.apache.karaf.shell.cfg"
  printf 'tls.port = %s\nscep.url = http://127.0.0.1:%s/scep\n' "$tls" "$port" > "$home/etc/io.mooring.pki.cfg"
  if [ "$db" = postgres ]; then
    createdb -h 127.0.0.1 -U postgres "$pgdb"
    cfg="$home/etc/org.ops4j.datasource-mooring.cfg"
    sed -i "s|^osgi.jdbc.driver.class = .*|osgi.jdbc.driver.class = org.postgresql.Driver|; s|^url = .*|url = jdbc:postgresql://127.0.0.1:5432/$pgdb?reWriteBatchedInserts=true|; s|^user = .*|user = postgres|" "$cfg"
  fi
  configure
  "$home/bin/karaf" server > "$work/out.log" 2>&1 &
  for _ in $(seq 360); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = "200" ] && return 0
    sleep 0.5
  done
  echo "the distribution did not become healthy in 3 minutes; its log says:" >&2
  grep -E "ERROR|Exception" "$home/data/log/karaf.log" | tail -5 >&2
  exit 1
}

server_pid() { pgrep -f "karaf.base=${home%/}" | head -1; }

# Seconds the server's JIT compilers have spent so far (jstat's compile time).
jit_seconds() { jstat -compiler "$(server_pid)" 2>/dev/null | awk 'NR == 2 { print $4 }'; }

# Runs the benchmark command, echoing its output; with PROFILE, starts recording when it prints "measuring".
# Also says how much of the measured time the server's JIT compilers still took: on a small machine they
# compile for minutes after the start, and a figure measured meanwhile is below what the server sustains.
measure() {
  local jit_start="" started=0
  "$@" | while IFS= read -r line; do
    echo "$line"
    if [[ "$line" == measuring* ]]; then
      jit_start=$(jit_seconds); started=$(date +%s.%N)
    elif [ -n "$jit_start" ] && [[ "$line" =~ ^[0-9]+\ rounds\ in ]]; then
      python3 -c "import sys; j0, j1, t0, t1 = map(float, sys.argv[1:]); print(f'server JIT compilers during the measurement: {j1 - j0:.1f} s of compiling in {t1 - t0:.0f} s ({(j1 - j0) / (t1 - t0) * 100:.0f}% of a core; raise WARMUP if high)')" \
        "$jit_start" "$(jit_seconds)" "$started" "$(date +%s.%N)" || true
      jit_start=""
    fi
    if [ -n "${PROFILE:-}" ] && [[ "$line" == measuring* ]]; then
      if [ -n "${ASYNC_PROFILER:-}" ]; then
        jcmd "$(server_pid)" JVMTI.agent_load "$(realpath "$ASYNC_PROFILER")" '"start,event=itimer,interval=2ms,threads"' >/dev/null
      else
        jcmd "$(server_pid)" JFR.start name=bench settings="${PROFILE_SETTINGS:-$(realpath bench/samples.jfc)}" >/dev/null
      fi
    fi
  done
}

write_profile() {
  if [ -n "${PROFILE:-}" ] && [ -n "${ASYNC_PROFILER:-}" ]; then
    jcmd "$(server_pid)" JVMTI.agent_load "$(realpath "$ASYNC_PROFILER")" "\"stop,file=$(realpath -m "$PROFILE"),collapsed\"" >/dev/null
    echo "server profile written to $PROFILE"
  elif [ -n "${PROFILE:-}" ]; then
    jcmd "$(server_pid)" JFR.dump name=bench filename="$(realpath -m "$PROFILE")" >/dev/null
    echo "server profile written to $PROFILE"
  fi
}
