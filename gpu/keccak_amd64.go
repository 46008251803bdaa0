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
	s.hashBatch(4, data, offsets, out)
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

// HashBatch implements BatchHasher. Runs of 8 consecutive messages shorter
// than a block (keys, leaves: the bulk of a trie commit) are hashed whole
// by keccakShortX8; the rest go through the lane scheduler.
func (avx512Hasher) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	n := min(len(offsets)-1, len(out))
	if n <= 0 {
		return
	}
	s := spongePool.Get().(*sponges)
	done := 0 // messages before done are hashed
	if shortX8 {
		base := unsafe.SliceData(data)
		for i := 0; i+8 <= n; i += 8 {
			group := (*[9]uint32)(offsets[i : i+9])
			if !shortGroup(len(data), group) {
				continue
			}
			if done < i {
				s.hashBatch(8, data, offsets[done:i+1], out[done:i])
			}
			keccakShortX8((*[256]byte)(unsafe.Pointer(&out[i])), base, group)
			done = i + 8
		}
	}
	s.hashBatch(8, data, offsets[done:n+1], out[done:n])
	spongePool.Put(s)
}

// shortGroup reports whether the 8 messages that offsets delimit are well
// formed and each shorter than a block.
func shortGroup(dataLen int, offsets *[9]uint32) bool {
	if uint64(offsets[8]) > uint64(dataLen) {
		return false
	}
	for k := 0; k < 8; k++ {
		// A decreasing pair wraps around to a huge length.
		if offsets[k+1]-offsets[k] >= keccakRate {
			return false
		}
	}
	return true
}
