// Package gpu hashes and compresses data in batches. One call hashes many
// messages held in one flat buffer with offsets: the shape that SIMD
// multi-buffer code and GPU kernels want. Backends (portable Go, AVX2,
// AVX-512, CUDA) must return identical bytes.
package gpu

import (
	"sync"

	"github.com/plasmaxpl/engine/types"
)

// BatchHasher computes Keccak-256 of many messages at once.
type BatchHasher interface {
	// Name identifies the backend ("portable", "avx2", "avx512", "cuda").
	Name() string
	// HashBatch hashes message i = data[offsets[i]:offsets[i+1]] into
	// out[i], for i < len(offsets)-1. len(out) must be len(offsets)-1.
	HashBatch(data []byte, offsets []uint32, out []types.Hash)
}

// Portable is the pure-Go backend: one scalar Keccak-256 per message.
type Portable struct{}

// Name implements BatchHasher.
func (Portable) Name() string { return "portable" }

// HashBatch implements BatchHasher.
func (Portable) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	for i := 0; i+1 < len(offsets); i++ {
		out[i] = types.Keccak256(data[offsets[i]:offsets[i+1]])
	}
}

// Default returns the fastest backend available on this machine: AVX-512,
// then AVX2 (chosen at run time), else Portable.
//
// In a cuda build the GPU backend wraps the best CPU backend (large batches
// go to the device, small ones and every batch after a device error stay on
// the CPU); it is set up on the first call, so programs that never hash pay
// nothing for the probe.
func Default() BatchHasher {
	defaultOnce.Do(func() {
		chosen = defaultBackend
		if Accelerated != nil {
			chosen = Accelerated(defaultBackend)
		}
	})
	return chosen
}

var (
	defaultOnce sync.Once
	chosen      BatchHasher
)
