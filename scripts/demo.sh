#!/usr/bin/env bash
# The main job end to end on embedded defaults: installs dependencies, builds,
# starts dcgan-server on loopback (SQLite job store and checkpoints under
# var/), submits a 32x32 Fashion-MNIST DCGAN with dcganctl, watches it to the
# end, and writes a grid of samples to out/samples.png. A few minutes on two
# cores. Run again, it finds the finished job and only samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
scripts/build.sh release --target dcgan-server --target dcganctl
mkdir -p out var
rm -f var/port var/metrics-port
build/release/server/dcgan-server --listen 127.0.0.1:0 --state_dir var \
  --port_file var/port --metrics_listen 127.0.0.1:0 --metrics_port_file var/metrics-port \
  2>>var/server.log &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 300); do [[ -s var/port ]] && break; kill -0 $server || exit 1; sleep 0.1; done
export DCGAN_SERVER=127.0.0.1:$(cat var/port)
ctl=build/release/client/dcganctl
for _ in $(seq 100); do $ctl health >/dev/null 2>&1 && break; sleep 0.1; done
echo "dcgan-server on $DCGAN_SERVER, metrics at http://127.0.0.1:$(cat var/metrics-port)/metrics (log: var/server.log)"
steps=${DEMO_STEPS:-600}
$ctl train --job_id "demo-fashion32-$steps" --dataset fashion-mnist --image_size 32 \
  --max_steps "$steps" --checkpoint_every_steps 200 --watch
$ctl sample "demo-fashion32-$steps" --count 64 --seed 1 --out out/samples.png
echo "samples: $(pwd)/out/samples.png"
