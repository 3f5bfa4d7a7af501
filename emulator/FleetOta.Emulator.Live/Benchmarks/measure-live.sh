#!/usr/bin/env bash
# Runs one live scale scenario and samples CPU time and resident memory of the fleetota process (runner and
# server, with the embedded broker when used), of each shard process and of mosquitto, every 5 s.
# Usage: measure-live.sh SCENARIO SHARDS BROKER OUT
#   BROKER is 'embedded' or 'mosquitto' (started here on port 18830, stopped at the end).
# Prints a summary; the samples are in OUT/samples.csv and the log in OUT/run.log. BUILD sets the build folder.
set -euo pipefail
scenario=$1; shards=$2; broker=$3; out=$4
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
build=${BUILD:-$out/build}
dotnet build "$repo/scenarios/FleetOta.Cli" -c Release --artifacts-path "$build" -v quiet -nologo >/dev/null
cli="$build/bin/FleetOta.Cli/release/fleetota.dll"

mosquitto_pid=""
broker_url=embedded
if [ "$broker" = mosquitto ]; then
  # By default mosquitto drops QoS 1 messages for a client past 1,000 queued ones. The server's one client
  # receives every device's messages, so its queue gets no limit here.
  printf 'listener 18830 127.0.0.1\nallow_anonymous true\nmax_connections -1\nmax_queued_messages 0\npersistence false\nlog_dest none\n' > "$out/mosquitto.conf"
  ulimit -n 20000
  /usr/sbin/mosquitto -c "$out/mosquitto.conf" & mosquitto_pid=$!
  broker_url=mqtt://127.0.0.1:18830
  sleep 1
fi

ulimit -n 20000
dotnet "$cli" run "$here/live-scale.yaml" --mode live --scenario "$scenario" --shards "$shards" --broker "$broker_url" \
  --time-factor 60 --out "$out/report" > "$out/run.log" 2>&1 & main=$!

ticks=$(getconf CLK_TCK)
echo "elapsed_s,role,pid,cpu_s,rss_mib" > "$out/samples.csv"
start=$(date +%s)
sample() {
  local role=$1 pid=$2
  [ -r "/proc/$pid/stat" ] || return 0
  local cpu rss
  cpu=$(awk -v t="$ticks" '{printf "%.2f", ($14+$15)/t}' "/proc/$pid/stat")
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
  echo "$(( $(date +%s) - start )),$role,$pid,$cpu,$rss" >> "$out/samples.csv"
}
while kill -0 "$main" 2>/dev/null; do
  sample server "$main"
  for child in $(pgrep -P "$main" || true); do sample shard "$child"; done
  [ -n "$mosquitto_pid" ] && sample mosquitto "$mosquitto_pid"
  sleep 5
done
wait "$main" || true
[ -n "$mosquitto_pid" ] && kill "$mosquitto_pid"

grep -E "all [0-9]+ devices connected|Gate|expectations" "$out/run.log" || true
python3 - "$out/samples.csv" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.defaultdict(list)
for r in rows:
    by[(r["role"], r["pid"])].append(r)
for (role, pid), samples in sorted(by.items()):
    first, last = samples[0], samples[-1]
    span = int(last["elapsed_s"]) - int(first["elapsed_s"]) or 1
    cpu = (float(last["cpu_s"]) - float(first["cpu_s"])) / span * 100
    peak = max(float(s["rss_mib"]) for s in samples if s["rss_mib"])
    print(f"{role:9} pid {pid}: {span} s sampled, mean CPU {cpu:.0f} % of one core, peak RSS {peak:.0f} MiB")
PY
