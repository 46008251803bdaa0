// Package cuda runs package gpu's batch Keccak-256 and chunk compression on
// an NVIDIA GPU. It is empty unless built with -tags cuda.
//
// gorgonia.org/cu, the CUDA driver binding, calls cuInit when its package
// initialises and exits the process when that fails, and it links libcuda
// at build time. So the binding lives only in a Go plugin (./plugin, built
// with -buildmode=plugin to plasma-cuda.so), and this package loads that
// plugin only after Probe has found a usable device through a dlopen of
// libcuda.so.1. A program built with -tags cuda therefore starts and runs
// on machines without a GPU or driver: it prints one line containing
// "falling back to CPU" and uses the CPU backends.
//
// Programs enable it by importing it for its side effects in a file built
// only with -tags cuda:
//
//	//go:build cuda
//	package main
//	import _ "github.com/plasmaxpl/engine/gpu/cuda"
//
// which sets gpu.Accelerated and gpu.AcceleratedCompressor.
//
// Environment:
//
//	PLASMA_GPU=off          never use the GPU
//	PLASMA_CUDA_PLUGIN=path the plugin (default: plasma-cuda.so beside the executable)
//	PLASMA_CUDA_MIN_BATCH=n smallest batch (messages) hashed on the GPU
//	PLASMA_CUDA_MIN_BYTES=n smallest compression batch (bytes) sent to the GPU
package cuda
