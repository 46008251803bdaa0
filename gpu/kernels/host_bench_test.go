package kernels

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// BenchmarkHostKeccak measures the kernel's per-message code on one CPU
// core: a sanity check of its cost, not of the GPU.
func BenchmarkHostKeccak(b *testing.B) {
	needHost(b)
	for _, size := range []int{32, 64, 136, 532} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			const n = 4096
			rng := rand.New(rand.NewPCG(1, 1))
			data := randomBytes(rng, n*size)
			offsets := make([]uint32, n+1)
			for i := range offsets {
				offsets[i] = uint32(i * size)
			}
			out := make([]types.Hash, n)
			b.SetBytes(int64(n * size))
			for b.Loop() {
				HostKeccakBatch(data, offsets, out)
			}
		})
	}
}

// BenchmarkHostSnappy measures the kernel's per-chunk compressor on one CPU
// core over 64 KiB chunks of real block JSON.
func BenchmarkHostSnappy(b *testing.B) {
	needHost(b)
	corpus := fixtureCorpus(b, 4<<20)
	b.SetBytes(int64(len(corpus)))
	for b.Loop() {
		for off := 0; off < len(corpus); off += 64 << 10 {
			if _, err := HostSnappyChunk(corpus[off:min(off+64<<10, len(corpus))], SnappySegment, SnappyLookback); err != nil {
				b.Fatal(err)
			}
		}
	}
}
