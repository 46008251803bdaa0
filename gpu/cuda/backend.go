//go:build cuda

package cuda

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/s2"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/gpu/kernels"
	"github.com/plasmaxpl/engine/types"
)

// Batches below these sizes stay on the CPU: copying to and from the
// device costs more than it saves. Override with PLASMA_CUDA_MIN_BATCH and
// PLASMA_CUDA_MIN_BYTES; gpu/check-on-gpu.sh prints the numbers to pick
// them from.
const (
	DefaultMinBatch = 4096
	DefaultMinBytes = 1 << 20
)

// disabled is set by the first CUDA error; from then on every call of this
// process runs on the CPU.
var (
	disabled   atomic.Bool
	noticeOnce sync.Once
)

// notice prints the one line a program shows when it does not use the GPU.
func notice(why string) {
	noticeOnce.Do(func() {
		fmt.Fprintf(os.Stderr, "gpu/cuda: %s; falling back to CPU\n", why)
	})
}

// fail disables the GPU for the rest of the run.
func fail(err error) {
	if !disabled.Swap(true) {
		fmt.Fprintf(os.Stderr, "gpu/cuda: %v; GPU disabled, falling back to CPU\n", err)
	}
}

// Disabled reports whether a CUDA error has turned the GPU off.
func Disabled() bool { return disabled.Load() }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

// Hasher is the "cuda" BatchHasher: batches of at least MinBatch messages
// go to the GPU, the rest (and everything after a CUDA error) to CPU.
type Hasher struct {
	Engine   Engine
	CPU      gpu.BatchHasher
	MinBatch int
}

// NewHasher returns a Hasher on eng that uses cpu for small batches.
func NewHasher(eng Engine, cpu gpu.BatchHasher) *Hasher {
	return &Hasher{Engine: eng, CPU: cpu, MinBatch: envInt("PLASMA_CUDA_MIN_BATCH", DefaultMinBatch)}
}

// Name implements gpu.BatchHasher.
func (h *Hasher) Name() string { return "cuda" }

// HashBatch implements gpu.BatchHasher.
func (h *Hasher) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	if len(offsets)-1 < max(h.MinBatch, 1) || disabled.Load() {
		h.CPU.HashBatch(data, offsets, out)
		return
	}
	if err := h.Engine.HashBatch(data, offsets, out); err != nil {
		fail(err)
		h.CPU.HashBatch(data, offsets, out)
	}
}

// Compressor is the "cuda" gpu.ChunkCompressor: batches of at least
// MinBytes go to the GPU's Snappy kernel; smaller ones are compressed on
// the CPU into the same format.
type Compressor struct {
	Engine   Engine
	MinBytes int
	// Segment and Lookback tune the kernel (kernels.SnappySegment and
	// kernels.SnappyLookback by default).
	Segment, Lookback int
}

// NewCompressor returns a Compressor on eng.
func NewCompressor(eng Engine) *Compressor {
	return &Compressor{Engine: eng, MinBytes: envInt("PLASMA_CUDA_MIN_BYTES", DefaultMinBytes),
		Segment: kernels.SnappySegment, Lookback: kernels.SnappyLookback}
}

// Name implements gpu.ChunkCompressor.
func (c *Compressor) Name() string { return "cuda" }

// CompressChunks implements gpu.ChunkCompressor. After a CUDA error it
// returns the error (and the GPU stays off), so the caller falls back.
func (c *Compressor) CompressChunks(chunks [][]byte) ([][]byte, error) {
	total := 0
	for _, ch := range chunks {
		total += len(ch)
	}
	if disabled.Load() {
		return nil, fmt.Errorf("gpu/cuda: GPU disabled after an earlier error")
	}
	if total < c.MinBytes || !fitsKernel(chunks, c.Segment) {
		out := make([][]byte, len(chunks))
		for i, ch := range chunks {
			out[i] = s2.EncodeSnappy(nil, ch)
		}
		return out, nil
	}
	out, err := c.Engine.CompressChunks(chunks, c.Segment, c.Lookback)
	if err != nil {
		fail(err)
		return nil, err
	}
	return out, nil
}

// MaxSegments is the most segments a chunk may have on the GPU (the kernel
// keeps one 4-byte size per segment in 48 KiB of shared memory); chunks
// with more are compressed on the CPU.
const MaxSegments = 12 << 10

func fitsKernel(chunks [][]byte, segLen int) bool {
	for _, ch := range chunks {
		if kernels.SnappySegments(len(ch), segLen) > MaxSegments {
			return false
		}
	}
	return true
}

func init() {
	gpu.Accelerated = func(cpu gpu.BatchHasher) gpu.BatchHasher {
		eng, err := Open()
		if err != nil {
			notice(err.Error())
			return cpu
		}
		return NewHasher(eng, cpu)
	}
	gpu.AcceleratedCompressor = func() gpu.ChunkCompressor {
		eng, err := Open()
		if err != nil {
			notice(err.Error())
			return nil
		}
		return NewCompressor(eng)
	}
}
