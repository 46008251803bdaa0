//go:build !purego

package gpu

import (
	"sync"

	"golang.org/x/sys/cpu"

	"github.com/plasmaxpl/engine/types"
)

//go:generate sh -c "cd _generate && go run . -out ../keccak_amd64.s -stubs ../keccak_stub_amd64.go -pkg gpu"

// cpuBackends are the SIMD backends this CPU supports, slowest first.
var cpuBackends = func() []BatchHasher {
	var b []BatchHasher
	if cpu.X86.HasAVX2 {
		b = append(b, avx2Hasher{})
	}
	if cpu.X86.HasAVX512F {
		b = append(b, avx512Hasher{})
	}
	return b
}()

// spongePool holds lane sets: they point into themselves (padded blocks),
// which would move them to the heap anyway, and reuse saves clearing 3 KiB
// per batch.
var spongePool = sync.Pool{New: func() any { return new(sponges) }}

// avx2Hasher hashes 4 messages at a time with AVX2.
type avx2Hasher struct{}

// Name implements BatchHasher.
func (avx2Hasher) Name() string { return "avx2" }

// HashBatch implements BatchHasher.
func (avx2Hasher) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	s := spongePool.Get().(*sponges)
	s.hashBatch(4, data, offsets, out)
	spongePool.Put(s)
}

// avx512Hasher hashes 8 messages at a time with AVX-512.
type avx512Hasher struct{}

// Name implements BatchHasher.
func (avx512Hasher) Name() string { return "avx512" }

// HashBatch implements BatchHasher.
func (avx512Hasher) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	s := spongePool.Get().(*sponges)
	s.hashBatch(8, data, offsets, out)
	spongePool.Put(s)
}
