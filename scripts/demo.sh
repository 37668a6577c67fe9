#!/usr/bin/env bash
# The main job end to end on embedded defaults: installs dependencies,
# builds, trains a short 32x32 DCGAN on Fashion-MNIST (a few minutes on two
# cores) and writes a grid of samples to out/samples.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
scripts/build.sh release --target dcgan-train
mkdir -p out
build/release/tools/dcgan-train --dataset fashion-mnist --image_size 32 \
  --max_steps "${DEMO_STEPS:-600}" --checkpoint_every_steps 200 \
  --job_dir var/checkpoints/demo --out out/samples.png "$@"
echo "samples: $(pwd)/out/samples.png"
