#!/usr/bin/env bash
# Checks the CUDA backends on a machine with an NVIDIA GPU (compute
# capability 8.0 or newer) and prints their throughput. One command, run
# from anywhere in the repository:
#
#   gpu/check-on-gpu.sh                 # checks, then the throughput table
#   gpu/check-on-gpu.sh -time 5s        # extra flags go to gpucheck
#
# It builds the cuda variant (the gpucheck program and the plasma-cuda.so
# plugin beside it), runs the host-side tests, then gpucheck -require-gpu:
# every GPU digest (lengths 0..600 at every alignment, random batches up to
# 1.5M messages) against golang.org/x/crypto, and every GPU Snappy chunk
# (random, repetitive, zero and real block data) decoded by s2 and compared
# byte for byte with the host build of the same kernel. Exits non-zero on
# any mismatch, CUDA error, or when no GPU is usable.
#
# Needs Go, a C compiler, the NVIDIA driver (libcuda.so.1) and cuda.h
# (scripts/install-cuda.sh installs them where apt can reach Debian; nvcc
# is not needed: the PTX is committed). Set TAGS to add build tags (for
# example TAGS="cuda purego"), FIXTURES to point at the shared fixtures and
# OUT_DIR to keep the binaries.
set -euo pipefail

cd "$(dirname "$0")/.."
TAGS=${TAGS:-cuda}
FIXTURES=${FIXTURES:-../shared/fixtures}
OUT_DIR=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$OUT_DIR"

echo "== machine"
go version
if command -v nvidia-smi >/dev/null 2>&1; then
	nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader || true
else
	echo "nvidia-smi not found"
fi
if [[ ! -e /usr/include/cuda.h && ! -e /usr/local/cuda/include/cuda.h ]]; then
	echo "cuda.h not found: installing the CUDA toolkit headers"
	scripts/install-cuda.sh
fi

echo "== build ($TAGS) into $OUT_DIR"
# The plugin and the program must come from the same toolchain, flags and
# sources, so they are built together here.
go build -tags "$TAGS" -o "$OUT_DIR/gpucheck" ./gpu/cuda/gpucheck
go build -tags "$TAGS" -buildmode=plugin -o "$OUT_DIR/plasma-cuda.so" ./gpu/cuda/plugin

echo "== host-side tests"
go test -count=1 ./gpu/kernels
go test -count=1 -tags "$TAGS" ./gpu/cuda

echo "== GPU against CPU, then throughput"
PLASMA_CUDA_PLUGIN="$OUT_DIR/plasma-cuda.so" "$OUT_DIR/gpucheck" -require-gpu -fixtures "$FIXTURES" "$@"
