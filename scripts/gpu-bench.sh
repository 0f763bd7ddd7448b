#!/usr/bin/env bash
# The GPU benchmarks of docs/performance.md, repeatable on any Linux machine with an NVIDIA GPU:
#   scripts/gpu-bench.sh [OUT_DIR]
# It runs `bench extract --device gpu` on Qwen3-0.6B's shapes in fp32, TF32 and fp16 (each checked
# against the CPU's top-K on the same documents) and `bench pipeline --device gpu` in fp16, and writes
# the outputs and the machine's description to OUT_DIR (default gpu-bench-out/).
#
# What it needs, and where it looks:
#   Java 17+        $JAVA_HOME, or java on the PATH; else installs openjdk-17-jdk-headless (apt, as root)
#   CUDA libtorch   $LIBTORCH (a libtorch folder: lib/, include/), else /opt/libtorch (docker/Dockerfile.cuda
#                   puts 2.7.1+cu128 there), else the torch package of python3
#   the project     $NAG_CLASSPATH, else target/nag-selector.jar, else built here with ./mvnw
#   DJL's JNI       DJL ships it for libtorch 2.7.1+cu128 and downloads it; offline, or for another
#                   libtorch, it is built here from DJL v0.36.0's sources: $DJL_SRC (a checkout), else
#                   cloned from GitHub when the machine can reach it
# Knobs: DOCS (4096), BATCH (64), MODEL (random-qwen3-0.6b), PIPELINE_DOCS (4000).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-bench-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
DOCS=${DOCS:-4096}
BATCH=${BATCH:-64}
MODEL=${MODEL:-random-qwen3-0.6b}
PIPELINE_DOCS=${PIPELINE_DOCS:-4000}
say() { echo "gpu-bench: $*" >&2; }

# --- Java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java="$JAVA_HOME/bin/java"
elif command -v java >/dev/null; then
  java=$(command -v java)
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  say "installing openjdk-17-jdk-headless"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless
  java=$(command -v java)
else
  say "no Java: set JAVA_HOME to a JDK 17 or newer"; exit 2
fi
jdk=$(dirname "$(dirname "$(readlink -f "$java")")")

# --- libtorch
if [ -z "${LIBTORCH:-}" ]; then
  if [ -f /opt/libtorch/lib/libtorch.so ]; then
    LIBTORCH=/opt/libtorch
  elif python3 -c 'import torch' 2>/dev/null; then
    LIBTORCH=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
  else
    say "no CUDA libtorch: set LIBTORCH (e.g. the libtorch zip of docker/Dockerfile.cuda)"; exit 2
  fi
fi
if [ -f "$LIBTORCH/build-version" ]; then
  torch_version=$(cut -d+ -f1 "$LIBTORCH/build-version")
else
  torch_version=$(python3 -c 'import torch; print(torch.__version__.split("+")[0])')
fi
say "libtorch $torch_version at $LIBTORCH"

# --- the project's classes
if [ -z "${NAG_CLASSPATH:-}" ]; then
  if [ ! -f target/nag-selector.jar ]; then
    say "building target/nag-selector.jar"
    ./mvnw -q -B -DskipTests -Dexec.skip package
  fi
  NAG_CLASSPATH=target/nag-selector.jar
fi

# --- DJL's JNI, built against this libtorch unless DJL's own fits and is cached
djl_cache=${DJL_CACHE_DIR:-$HOME/.djl.ai}
jni_dir="$djl_cache/pytorch/2.7.1-cu128-linux-x86_64"
jni="$jni_dir/0.36.0-libdjl_torch.so"
if [ ! -f "$jni" ]; then
  if [ -z "${DJL_SRC:-}" ]; then
    DJL_SRC="$out/djl-src"
    if [ ! -d "$DJL_SRC" ]; then
      say "cloning DJL v0.36.0 for its JNI sources"
      git clone -q --depth 1 --branch v0.36.0 https://github.com/deepjavalibrary/djl "$DJL_SRC" \
        || { say "cannot reach GitHub: set DJL_SRC to a DJL v0.36.0 checkout"; exit 2; }
    fi
  fi
  native="$DJL_SRC/engines/pytorch/pytorch-native/src/main/native"
  build="$out/jni-build"
  mkdir -p "$build/classes" "$jni_dir"
  say "building DJL's JNI against libtorch $torch_version"
  "$jdk/bin/javac" -h "$build" -d "$build/classes" -cp "$NAG_CLASSPATH" \
    "$DJL_SRC/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
  cuda=${CUDA_HOME:-/usr/local/cuda}
  g++ -std=c++17 -O2 -fPIC -shared -DUSE_CUDA -D_GLIBCXX_USE_CXX11_ABI=1 \
    -I"$build" -I"$native" -I"$DJL_SRC/api/src/main/native" \
    -I"$jdk/include" -I"$jdk/include/linux" \
    -I"$LIBTORCH/include" -I"$LIBTORCH/include/torch/csrc/api/include" -I"$cuda/include" \
    "$native"/*.cc -L"$LIBTORCH/lib" -Wl,-rpath,"$LIBTORCH/lib" \
    -ltorch -ltorch_cpu -ltorch_cuda -lc10 -lc10_cuda -o "$jni"
fi

# --- the runs
export PYTORCH_LIBRARY_PATH="$LIBTORCH/lib" PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128
export PYTORCH_LIBRARY_EXCLUSION=libtorch_python.so,libshm.so,libtorch_global_deps.so
export DJL_CACHE_DIR="$djl_cache"
run() {
  "$java" -Dai.djl.offline=true -Djna.library.path="${CUDA_HOME:-/usr/local/cuda}/lib64" \
    -cp "$NAG_CLASSPATH" io.nagselector.cli.Main "$@"
}
{
  date -u +%FT%TZ
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  echo "libtorch $torch_version; $("$java" -version 2>&1 | head -1); $(nproc) CPU cores"
} > "$out/machine.txt"
extract=(bench extract --device gpu --model "$MODEL" --docs "$DOCS" --batch-size "$BATCH")
say "bench extract, fp32"
run "${extract[@]}" --dtype fp32 | tee "$out/extract-fp32.txt"
say "bench extract, fp32 with TF32 matmuls"
TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 run "${extract[@]}" --dtype fp32 | tee "$out/extract-tf32.txt"
say "bench extract, fp16 matmuls"
run "${extract[@]}" --dtype fp16 | tee "$out/extract-fp16.txt"
say "bench pipeline, fp16"
run bench pipeline --device gpu --dtype fp16 --docs "$PIPELINE_DOCS" | tee "$out/pipeline-fp16.txt"
say "done: $out"
