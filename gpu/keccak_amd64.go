//go:build !purego

package gpu

import (
	"sync"
	"unsafe"

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
	s.hashBatch(4, data, offsets, out, 0)
	spongePool.Put(s)
}

// avx512Hasher hashes 8 messages at a time with AVX-512.
type avx512Hasher struct{}

// shortX8 says whether keccakShortX8 may run: it needs byte-masked loads
// (AVX512BW) and BZHI (BMI2) beyond the AVX512F of keccakBlockX8. Tests
// turn it off to cover the general path alone.
var shortX8 = cpu.X86.HasAVX512BW && cpu.X86.HasBMI2

// Name implements BatchHasher.
func (avx512Hasher) Name() string { return "avx512" }

// HashBatch implements BatchHasher. Messages shorter than a block (keys,
// leaves: the bulk of a trie commit) are hashed 8 at a time, start to
// finish, by keccakShortX8; the others go through the lane scheduler.
func (avx512Hasher) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	s := spongePool.Get().(*sponges)
	if !shortX8 {
		s.hashBatch(8, data, offsets, out, 0)
		spongePool.Put(s)
		return
	}
	n := min(len(offsets)-1, len(out))
	base := unsafe.SliceData(data)
	k := 0         // messages in the group being filled
	shortDone := 0 // short messages before it are hashed
	long := false  // some message is left to the lane scheduler
	for i := 0; i < n; i++ {
		lo, hi := offsets[i], offsets[i+1]
		// A decreasing pair wraps around to a huge length.
		if hi-lo >= keccakRate || uint64(hi) > uint64(len(data)) {
			long = true
			continue
		}
		s.spans[k], s.spans[8+k] = lo, hi
		s.outs[k] = (*[32]byte)(&out[i])
		if k++; k == 8 {
			keccakShortX8(&s.outs, base, &s.spans)
			k, shortDone = 0, i+1
		}
	}
	s.outs = [8]*[32]byte{}
	if long || k > 0 {
		s.hashBatch(8, data, offsets, out, shortDone)
	}
	spongePool.Put(s)
}
