//go:build cuda

package main

// The cuda build registers the GPU backends. The package probes for a
// device with dlopen before anything that would initialise the CUDA
// driver bindings, and falls back to the CPU backends with a one-line
// notice when there is none.
import _ "github.com/plasmaxpl/engine/gpu/cuda"
