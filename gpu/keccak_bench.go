package gpu

import (
	"fmt"
	"time"

	"github.com/plasmaxpl/engine/types"
)

// HashResult is one backend's throughput on batches of equal-sized
// messages.
type HashResult struct {
	Backend      string
	Size         int // bytes per message
	Count        int // messages per batch
	Batches      int // batches hashed in Elapsed
	Elapsed      time.Duration
	HashesPerSec float64
	MBps         float64 // message MB (1e6 bytes) per second
}

func (r HashResult) String() string {
	return fmt.Sprintf("%-9s %5d B x %d: %8.2f Mhash/s %9.1f MB/s", r.Backend, r.Size, r.Count, r.HashesPerSec/1e6, r.MBps)
}

// HashBench measures each backend on batches of count messages of each
// size, hashing for at least minTime per pair on the calling goroutine.
// Before timing, every backend's digests are compared with Portable's;
// a mismatch is returned as an error (and means a broken backend).
func HashBench(backends []BatchHasher, sizes []int, count int, minTime time.Duration) ([]HashResult, error) {
	if count <= 0 {
		return nil, fmt.Errorf("gpu: hash benchmark needs at least one message per batch, got %d", count)
	}
	var res []HashResult
	for _, size := range sizes {
		if size < 0 || int64(size)*int64(count) > 1<<32-1 {
			return nil, fmt.Errorf("gpu: hash benchmark batch of %d x %d bytes does not fit 32-bit offsets", count, size)
		}
		data, offsets := UniformBatch(count, size)
		want := make([]types.Hash, count)
		Portable{}.HashBatch(data, offsets, want)
		out := make([]types.Hash, count)
		for _, h := range backends {
			h.HashBatch(data, offsets, out)
			for i := range out {
				if out[i] != want[i] {
					return nil, fmt.Errorf("gpu: backend %s hashes %d-byte message %d wrongly", h.Name(), size, i)
				}
			}
			r := HashResult{Backend: h.Name(), Size: size, Count: count}
			start := time.Now()
			for r.Elapsed < minTime || r.Batches == 0 {
				h.HashBatch(data, offsets, out)
				r.Batches++
				r.Elapsed = time.Since(start)
			}
			sec := r.Elapsed.Seconds()
			r.HashesPerSec = float64(r.Batches) * float64(count) / sec
			r.MBps = r.HashesPerSec * float64(size) / 1e6
			res = append(res, r)
		}
	}
	return res, nil
}
