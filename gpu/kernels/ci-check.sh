#!/usr/bin/env bash
# CI check of the CUDA side on a machine without a GPU:
#   1. installs the CUDA toolkit when nvcc is missing (scripts/install-cuda.sh)
#   2. compiles the kernels with nvcc for compute_80 and compute_90 and
#      checks the committed PTX matches (else: go generate ./gpu/kernels)
#   3. runs the host-compiled kernel tests against the Go reference
#   4. vets and builds the cuda variant (go build -tags cuda ./...), the
#      plugin and gpucheck, and runs the cuda-tagged tests
#   5. checks that the plugin matches the program (plugin.Open gets as far
#      as gorgonia.org/cu's cuInit) and that a cuda build without a GPU
#      prints "falling back to CPU" and exits 0
# Run from anywhere in the repository: gpu/kernels/ci-check.sh
# TAGS adds build tags (default "cuda"); FUZZTIME (e.g. 10s) also fuzzes the
# host kernels and the batch decoder for that long each.
set -euo pipefail

cd "$(dirname "$0")/../.."
start=$(date +%s)
TAGS=${TAGS:-cuda}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { echo "== $* ($(($(date +%s) - start))s)"; }

step "toolkit"
if ! command -v nvcc >/dev/null 2>&1 || [[ ! -e /usr/include/cuda.h && ! -e /usr/local/cuda/include/cuda.h ]]; then
	scripts/install-cuda.sh
fi
nvcc --version | tail -n 1

step "PTX up to date"
gpu/kernels/gen.sh "$tmp"
stale=0
for f in gpu/kernels/*.ptx; do
	if ! diff -q "$f" "$tmp/$(basename "$f")" >/dev/null; then
		echo "$f differs from a fresh nvcc build:"
		diff -u "$f" "$tmp/$(basename "$f")" | head -n 20
		stale=1
	fi
done
if [[ $stale != 0 ]]; then
	echo "committed PTX is stale: run go generate ./gpu/kernels with nvcc $(nvcc --version | tail -n 1) and commit"
	exit 1
fi
[[ $(ls gpu/kernels/*.ptx | wc -l) == 4 ]] || { echo "expected 4 PTX files"; exit 1; }

step "host-compiled kernels against the Go reference"
CGO_ENABLED=1 go test -count=1 ./gpu/kernels
if [[ -n "${FUZZTIME:-}" ]]; then
	go test -run '^$' -fuzz '^FuzzHostKeccak$' -fuzztime "$FUZZTIME" ./gpu/kernels
	go test -run '^$' -fuzz '^FuzzHostSnappy$' -fuzztime "$FUZZTIME" ./gpu/kernels
	go test -run '^$' -fuzz '^FuzzDecompressBatch$' -fuzztime "$FUZZTIME" ./gpu
fi

step "cuda build"
go vet -tags "$TAGS" ./gpu/...
go build -tags "$TAGS" ./...
go build -tags "$TAGS" -o "$tmp/gpucheck" ./gpu/cuda/gpucheck
go build -tags "$TAGS" -buildmode=plugin -o "$tmp/plasma-cuda.so" ./gpu/cuda/plugin
go test -count=1 -tags "$TAGS" ./gpu/cuda

step "plugin matches the program"
set +e
out=$(PLASMA_CUDA_PLUGIN="$tmp/plasma-cuda.so" "$tmp/gpucheck" -load-plugin 2>&1)
set -e
echo "$out"
if ! grep -qE 'plugin loaded|Error in initialization' <<<"$out"; then
	echo "the plugin does not load into a program built from the same sources"
	exit 1
fi

step "no GPU: CPU fallback"
if grep -q 'probe: ok=true' <<<"$out"; then
	echo "a GPU is present: run gpu/check-on-gpu.sh for the device checks"
else
	out=$(PLASMA_CUDA_PLUGIN="$tmp/plasma-cuda.so" "$tmp/gpucheck" 2>&1)
	echo "$out"
	grep -q 'falling back to CPU' <<<"$out"
fi

step "ci-check passed"
