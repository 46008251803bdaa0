package gpu

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// BenchmarkHashBatch hashes 4096 equal-length messages per batch with each
// backend. MB/s counts message bytes; hashes/s counts digests.
func BenchmarkHashBatch(b *testing.B) {
	const count = 4096
	for _, h := range Backends() {
		b.Run(h.Name(), func(b *testing.B) {
			for _, size := range []int{32, 64, 136, 600} {
				b.Run(fmt.Sprint(size), func(b *testing.B) {
					data, offsets := UniformBatch(count, size)
					out := make([]types.Hash, count)
					b.SetBytes(int64(count * size))
					b.ReportAllocs()
					runHashBench(b, h, data, offsets, out)
				})
			}
		})
	}
}

// BenchmarkHashBatchMixed hashes 4096 messages of 32 to 600 bytes, in
// the spread of a trie commit (mostly short leaves, some full branches).
func BenchmarkHashBatchMixed(b *testing.B) {
	const count = 4096
	sizes := []int{32, 70, 110, 532, 64, 90, 300, 33}
	offsets := make([]uint32, count+1)
	for i := 1; i <= count; i++ {
		offsets[i] = offsets[i-1] + uint32(sizes[i%len(sizes)])
	}
	data, _ := UniformBatch(1, int(offsets[count]))
	out := make([]types.Hash, count)
	for _, h := range Backends() {
		b.Run(h.Name(), func(b *testing.B) {
			b.SetBytes(int64(offsets[count]))
			runHashBench(b, h, data, offsets, out)
		})
	}
}

// runHashBench runs the timed loop and reports hashes/s, plus the thread's
// CPU time per batch (cpu-ns/op) where the OS tells it: on a shared,
// oversubscribed machine wall time includes waiting for a core, CPU time
// does not.
func runHashBench(b *testing.B, h BatchHasher, data []byte, offsets []uint32, out []types.Hash) {
	cpuTimed(b, func() { h.HashBatch(data, offsets, out) })
	b.ReportMetric(float64(b.N)*float64(len(out))/b.Elapsed().Seconds(), "hashes/s")
}

// cpuTimed runs f in the benchmark loop and reports cpu-ns/op.
func cpuTimed(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, ok := threadCPU()
	for b.Loop() {
		f()
	}
	if cpu1, ok1 := threadCPU(); ok && ok1 && b.N > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
