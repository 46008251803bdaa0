#!/bin/sh
# Compiles the CUDA kernels to PTX for compute capability 8.0 and 9.0. Run by
# `go generate ./gpu/...`; the output is committed so a cuda build needs the
# CUDA driver but not nvcc. Needs nvcc 11.8 (scripts/install-cuda.sh): other
# versions produce different (still valid) PTX, which ci-check.sh reports.
set -eu
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
OUTDIR=${1:-.}
for k in keccak snappy; do
	for sm in 80 90; do
		"$NVCC" -ptx -O3 -arch=compute_$sm -o "$OUTDIR/${k}_sm$sm.ptx" "$k.cu"
	done
done
