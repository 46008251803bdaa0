// Package kernels holds the CUDA kernels of package gpu: CUDA sources, the
// PTX compiled from them (embedded here, so a cuda build needs the driver
// but not nvcc) and, with cgo, a host build of the same per-message code
// that tests compare bit for bit with the Go reference.
//
// Layout: keccak_core.h and snappy_core.h hold all per-message and
// per-chunk logic as __host__ __device__ functions; keccak.cu and snappy.cu
// are thin kernels around them. The headers end in .h, not .cuh, so that
// Go's build cache sees them and rebuilds the host build when they change.
package kernels

import (
	_ "embed"
	"fmt"
)

//go:generate sh ./gen.sh

var (
	//go:embed keccak_sm80.ptx
	keccakSM80 string
	//go:embed keccak_sm90.ptx
	keccakSM90 string
	//go:embed snappy_sm80.ptx
	snappySM80 string
	//go:embed snappy_sm90.ptx
	snappySM90 string
)

// Kernel entry points in the PTX modules.
const (
	KeccakModule   = "keccak"
	KeccakFunction = "keccak256_batch"
	SnappyModule   = "snappy"
	SnappyFunction = "snappy_compress_chunks"
)

// PTX returns the PTX of module ("keccak" or "snappy") for a device of
// compute capability major.minor: the sm_90 build on 9.0 and newer, the
// sm_80 build on 8.x. Older devices are not supported.
func PTX(module string, major, minor int) (string, error) {
	if major < 8 {
		return "", fmt.Errorf("kernels: compute capability %d.%d is below the supported 8.0", major, minor)
	}
	sm90 := major >= 9
	switch module {
	case KeccakModule:
		if sm90 {
			return keccakSM90, nil
		}
		return keccakSM80, nil
	case SnappyModule:
		if sm90 {
			return snappySM90, nil
		}
		return snappySM80, nil
	}
	return "", fmt.Errorf("kernels: unknown module %q", module)
}

// Tuning shared by the GPU host code and the host build of the kernels.
const (
	// SnappySegment is the number of input bytes one GPU thread compresses.
	SnappySegment = 4096
	// SnappyLookback is how far before its segment a thread looks for
	// matches.
	SnappyLookback = 4096
	// SnappyMaxWindow bounds SnappySegment+SnappyLookback (16-bit offsets).
	SnappyMaxWindow = 65536
	// KeccakBlock is the thread-block size of the Keccak kernel.
	KeccakBlock = 128
)

// SnappySegments returns the number of segments of an n-byte chunk.
func SnappySegments(n, segLen int) int {
	if n == 0 {
		return 0
	}
	return (n-1)/segLen + 1
}

// SnappySegmentBound mirrors snp_segment_bound in snappy_core.h.
func SnappySegmentBound(n int) int { return n + n/30 + 8 }

// SnappyChunkBound mirrors snp_chunk_bound in snappy_core.h: the most bytes
// the kernel writes for an n-byte chunk.
func SnappyChunkBound(n, segLen int) int {
	return 5 + SnappySegments(n, segLen)*SnappySegmentBound(segLen)
}
