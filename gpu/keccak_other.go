//go:build !amd64 || purego

package gpu

// cpuBackends is empty: only Portable runs here.
var cpuBackends []BatchHasher
