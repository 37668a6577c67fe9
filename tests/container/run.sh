#!/usr/bin/env bash
# The container end-to-end test: Debian's dockerd (started here, on its own
# socket), a local debian:bookworm base made with debootstrap (no registry
# is reachable), `docker build` of the real Dockerfile and of the stack's
# other images, the compose stack up with deploy/docker-compose.host.yml
# (host network, loopback ports), then through haproxy: health, a training
# job watched to the end, Sample with dcganctl and buf curl, Prometheus
# scraping both replicas; then `docker stop` of the replica running a job
# must drain (exit 0) and hand the job over: the other replica resumes it
# from the drain's checkpoint and finishes it, and keeps serving.
# Needs root, and build/release (dcganctl on the host). Caches (the base
# rootfs, Docker's images and BuildKit cache mounts) live under
# $DCGAN_DOCKER_CACHE so a second run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
start=$(date +%s)
say() { echo "container-test [$(($(date +%s) - start)) s]: $*" >&2; }

cache=${DCGAN_DOCKER_CACHE:-${HOME:-/root}/.cache/dcgan-ci}
run_dir=$(mktemp -d /tmp/dcgan-container-XXXXXX)
sock=$run_dir/docker.sock
export DOCKER_HOST=unix://$sock
docker=/usr/bin/docker  # Debian's 20.10 CLI, matching its engine
ctl=$root/build/release/client/dcganctl
buf=${DCGAN_BUF:-$HOME/.cache/buf/node_modules/.bin/buf}
base=${DCGAN_TEST_PORT_BASE:-56000}
export DCGAN_TEST_PG_PORT=$base DCGAN_TEST_GRPC_PORT_1=$((base + 1)) \
  DCGAN_TEST_GRPC_PORT_2=$((base + 2)) DCGAN_TEST_METRICS_PORT_1=$((base + 11)) \
  DCGAN_TEST_METRICS_PORT_2=$((base + 12)) DCGAN_TEST_AGENT_PORT_1=$((base + 31)) \
  DCGAN_TEST_AGENT_PORT_2=$((base + 32)) DCGAN_TEST_PROMETHEUS_PORT=$((base + 20))
lb=127.0.0.1:$((base + 50))
export DCGAN_TEST_HAPROXY_CFG=$run_dir/haproxy.cfg DCGAN_TEST_PROMETHEUS_CFG=$run_dir/prometheus.yml
compose=(docker-compose -p dcgan-ci -f deploy/docker-compose.yml -f deploy/docker-compose.host.yml)

dockerd_pid=
cleanup() {
  set +e
  if [[ -S $sock ]]; then
    "${compose[@]}" logs --no-color > "$run_dir/stack.log" 2>&1
    local down_start=$(date +%s)
    "${compose[@]}" down -v --timeout 60 > "$run_dir/down.log" 2>&1
    say "stack down in $(($(date +%s) - down_start)) s"
  fi
  [[ -n $dockerd_pid ]] && kill "$dockerd_pid" && wait "$dockerd_pid" 2> /dev/null
  umount "$run_dir/exec/netns/default" 2> /dev/null
  if [[ ${keep_logs:-1} == 1 ]]; then
    echo "container-test: logs kept in $run_dir" >&2
  else
    rm -rf "$run_dir"
  fi
}
trap cleanup EXIT
fail() {
  say "FAILED: $*"
  "${compose[@]}" ps >&2 || true
  "${compose[@]}" logs --no-color --tail=40 >&2 || true
  exit 1
}
# Polls `$@` until it succeeds or $deadline seconds pass.
wait_for() {
  local deadline=$1 what=$2
  shift 2
  local until=$(($(date +%s) + deadline))
  until "$@" > /dev/null 2>&1; do
    (($(date +%s) < until)) || fail "$what (after ${deadline} s)"
    sleep 0.5
  done
}

# The stack as users run it (bridge network, scaled service) is valid
# compose; it is the host-network variant that runs here.
docker-compose -f deploy/docker-compose.yml config -q || fail "deploy/docker-compose.yml is not valid"

# --- engine ---
mkdir -p "$cache/docker"
dockerd --data-root "$cache/docker" --exec-root "$run_dir/exec" -H "$DOCKER_HOST" \
  --pidfile "$run_dir/docker.pid" --iptables=false --ip6tables=false --ip-masq=false \
  --bridge=none --storage-driver=overlay2 --default-ulimit nofile=20000:20000 \
  > "$run_dir/dockerd.log" 2>&1 &
dockerd_pid=$!
wait_for 60 "dockerd did not start" $docker info
say "dockerd up"

# --- base image: debootstrap, with this machine's apt sources ---
if ! $docker image inspect debian:bookworm > /dev/null 2>&1; then
  rootfs=$cache/rootfs-bookworm
  if [[ ! -x $rootfs/usr/bin/apt-get ]]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > "$run_dir/debootstrap.log"
  fi
  rm -f "$rootfs/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/" 2> /dev/null || true
  [[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$rootfs/etc/apt/"
  cp /etc/apt/apt.conf.d/99* "$rootfs/etc/apt/apt.conf.d/" 2> /dev/null || true
  rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/archives/"*.deb
  tar -C "$rootfs" -c . | $docker import - debian:bookworm > /dev/null
  say "imported debian:bookworm"
fi
$docker tag debian:bookworm debian:bookworm-slim

# --- images: the real Dockerfile, then the stack's others ---
export DOCKER_BUILDKIT=1
build_start=$(date +%s)
$docker build --network host -q -t dcgan:latest . > /dev/null || fail "docker build of Dockerfile"
say "built dcgan:latest in $(($(date +%s) - build_start)) s"
for image in postgres:15 haproxy:2.6 prometheus:2.42; do
  name=${image%%:*}
  $docker build --network host -q -t "dcgan-$image" "deploy/images/$name" > /dev/null ||
    fail "docker build of deploy/images/$name"
done
say "built the stack's images; dcgan:latest is $($docker image inspect -f '{{.Size}}' dcgan:latest | awk '{printf "%.0f MB", $1 / 1e6}')"

# --- the stack, with host networking on loopback ports ---
cat > "$run_dir/haproxy.cfg" <<CFG
$(sed -n '/^global/,/^frontend/p' deploy/haproxy.cfg | grep -v '^frontend\|^resolvers\|nameserver\|accepted_payload\|hold ')
frontend grpc
  bind $lb proto h2
  default_backend replicas
backend replicas
  balance roundrobin
  server dcgan-1 127.0.0.1:$DCGAN_TEST_GRPC_PORT_1 proto h2 check inter 1s fall 1 rise 2 agent-check agent-port $DCGAN_TEST_AGENT_PORT_1 agent-inter 500ms
  server dcgan-2 127.0.0.1:$DCGAN_TEST_GRPC_PORT_2 proto h2 check inter 1s fall 1 rise 2 agent-check agent-port $DCGAN_TEST_AGENT_PORT_2 agent-inter 500ms
CFG
cat > "$run_dir/prometheus.yml" <<CFG
global: {scrape_interval: 2s}
scrape_configs:
  - job_name: dcgan
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:$DCGAN_TEST_METRICS_PORT_1', '127.0.0.1:$DCGAN_TEST_METRICS_PORT_2']
CFG
chmod a+r "$run_dir"/*.cfg "$run_dir"/*.yml
up_start=$(date +%s)
"${compose[@]}" up -d --no-build > "$run_dir/up.log" 2>&1 || { cat "$run_dir/up.log" >&2; fail "compose up"; }
wait_for 120 "replica 1 never SERVING" "$ctl" --server=127.0.0.1:$DCGAN_TEST_GRPC_PORT_1 --timeout=2 health
wait_for 120 "replica 2 never SERVING" "$ctl" --server=127.0.0.1:$DCGAN_TEST_GRPC_PORT_2 --timeout=2 health
wait_for 60 "the balancer never answered" "$ctl" --server=$lb --timeout=2 health
say "stack up in $(($(date +%s) - up_start)) s"

# --- calls through the balancer ---
"$ctl" --server=$lb train --job_id=container --image_size=16 --generator_width=8 \
  --discriminator_width=8 --batch_size=16 --latent_dim=16 --max_steps=40 \
  --checkpoint_every_steps=20 --watch > "$run_dir/train.log" 2>&1 ||
  { cat "$run_dir/train.log" >&2; fail "training job through the balancer"; }
grep -q SUCCEEDED "$run_dir/train.log" || fail "the job did not succeed"
"$ctl" --server=$lb sample container --count=4 --out "$run_dir/grid.png" > /dev/null ||
  fail "dcganctl sample through the balancer"
[[ $(head -c 8 "$run_dir/grid.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
  fail "the sample is not a PNG"
served_by() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^dcgan_sample_requests_total\{code="OK",method="Sample"\}/{n = $2} END {printf "%d\n", n}'
}
# buf curl, a new connection per call; haproxy may still be bringing a
# replica that started late into rotation (2 good checks), so go on until
# both have served, within a deadline.
both_served() {
  "$buf" curl --protocol grpc --http2-prior-knowledge -d '{"model": "container", "count": 1}' \
    "http://$lb/dcgan.v1.SamplingService/Sample" > "$run_dir/buf.json" || fail "buf curl Sample"
  grep -q '"png"' "$run_dir/buf.json" || fail "buf curl Sample returned no image"
  local a b
  a=$(served_by $DCGAN_TEST_METRICS_PORT_1)
  b=$(served_by $DCGAN_TEST_METRICS_PORT_2)
  [[ -n $a && $a != 0 && -n $b && $b != 0 ]]
}
wait_for 30 "the balancer never sent a Sample to both replicas" both_served
wait_for 30 "Prometheus never scraped both replicas" bash -c \
  "curl -sf 'http://127.0.0.1:$DCGAN_TEST_PROMETHEUS_PORT/api/v1/query?query=count(up%3D%3D1)' | grep -q '\"2\"\\]'"
say "job, samples (dcganctl, buf curl; both replicas) and Prometheus through the stack"

# --- docker stop drains the replica running a job: it checkpoints the job
# and hands it back to the queue; the other replica finishes it ---
tiny=(--image_size=16 --generator_width=8 --discriminator_width=8 --batch_size=16 --latent_dim=16)
"$ctl" --server=$lb train --job_id=handoff "${tiny[@]}" --max_steps=4000 \
  --checkpoint_every_steps=1000 > /dev/null || fail "submitting the hand-off job"
job_field() { "$ctl" --server=$lb --json job handoff | jq -r "$1"; }
under_way() { [[ $(job_field .state) == RUNNING && $(job_field '.progress.step // "0"') -ge 200 ]]; }
wait_for 120 "the hand-off job never got under way" under_way
runner=$(job_field .replica)
seen=$(job_field .progress.step)
service=$([[ $runner == dcgan-1 ]] && echo dcgan || echo dcgan-2)
container=$("${compose[@]}" ps -q "$service")
# Sample load through the balancer across the drain: haproxy's agent check
# moves it off the draining replica before that one refuses calls.
samples_served() { echo $(($(served_by $DCGAN_TEST_METRICS_PORT_1) + $(served_by $DCGAN_TEST_METRICS_PORT_2))); }
samples_before=$(samples_served)
"$ctl" --server=$lb bench sample --model=container --concurrency=4 --duration=8 --json \
  > "$run_dir/drain-bench.json" 2> "$run_dir/drain-bench.err" &
bench_pid=$!
load_running() { (($(samples_served) > samples_before + 100)); }
wait_for 30 "the Sample load never got going" load_running
stop_start=$(date +%s)
$docker stop -t 60 "$container" > /dev/null
code=$($docker inspect -f '{{.State.ExitCode}}' "$container")
[[ $code == 0 ]] || fail "$runner exited with $code after docker stop"
# Read the log whole before matching: under pipefail, `docker logs | grep -q`
# fails whenever grep exits before docker logs has written everything.
stopped_log=$($docker logs "$container" 2>&1)
[[ $stopped_log == *"draining"* ]] || fail "$runner did not drain"
[[ $stopped_log == *"dcgan-server: stopped"* ]] || fail "$runner did not stop cleanly"
say "docker stop drained $runner (running handoff at step >= $seen) in $(($(date +%s) - stop_start)) s, exit 0"
wait "$bench_pid" || fail "Samples failed across the drain: $(cat "$run_dir/drain-bench.json" "$run_dir/drain-bench.err")"
[[ $(jq -c .errors "$run_dir/drain-bench.json") == "{}" ]] ||
  fail "Samples failed across the drain: $(cat "$run_dir/drain-bench.json")"
say "Sample load across the drain: $(jq -r '"\(.ok) of \(.calls) calls OK"' "$run_dir/drain-bench.json")"
finished() { [[ $(job_field .state) == SUCCEEDED ]]; }
wait_for 180 "the other replica never finished the handed-off job" finished
[[ $(job_field .replica) != "$runner" ]] || fail "the job did not move to the other replica"
other=$("${compose[@]}" ps -q "$([[ $service == dcgan ]] && echo dcgan-2 || echo dcgan)")
resumed=$($docker logs "$other" 2>&1 | sed -n 's/.*job handoff resumes from its checkpoint at step \([0-9]*\).*/\1/p')
[[ -n $resumed && $resumed -ge $seen ]] ||
  fail "the other replica resumed from step '${resumed}', not from the drain's checkpoint (>= $seen)"
say "$(job_field .replica) resumed handoff from step $resumed (the drain's checkpoint) and finished it"
for i in 1 2 3 4; do
  "$ctl" --server=$lb sample handoff --count=1 --out "$run_dir/after-$i.png" > /dev/null ||
    fail "Sample through the balancer after $runner stopped"
done
keep_logs=${DCGAN_KEEP_LOGS:-0}
say "PASSED in $(($(date +%s) - start)) s"
