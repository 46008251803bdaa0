//go:build cgo

package kernels

/*
#cgo CFLAGS: -O2 -std=c99 -Wall -Wno-unused-function
#include <stddef.h>
#include <stdlib.h>
#include "keccak_core.h"
#include "snappy_core.h"

static void host_keccak_batch(const uint8_t *data, const uint32_t *offsets,
			      uint32_t n, uint8_t *out)
{
	for (uint32_t i = 0; i < n; i++)
		keccak256(data + offsets[i], offsets[i + 1] - offsets[i], out + 32 * (size_t)i);
}

static uint32_t host_snappy_chunk(const uint8_t *src, uint32_t n, uint32_t seg_len,
				  uint32_t lookback, uint8_t *dst)
{
	uint16_t table[1 << SNP_MAX_TABLE_BITS];
	return snp_compress_chunk(src, n, seg_len, lookback, dst, table);
}

// Runs snappy_compress_chunks' phases for one chunk as a block of nthreads
// threads would, one thread after another within each phase.
static uint32_t host_snappy_kernel(const uint8_t *src, uint32_t n, uint32_t seg_len,
				   uint32_t lookback, uint32_t nthreads,
				   uint8_t *tmp, uint8_t *dst, uint32_t *seg_out)
{
	uint16_t table[1 << SNP_MAX_TABLE_BITS];
	for (uint32_t t = 0; t < nthreads; t++)
		snp_phase_compress(src, n, seg_len, lookback, tmp, seg_out, t, nthreads, table);
	uint32_t total = snp_phase_layout(n, seg_len, dst, seg_out);
	for (uint32_t t = 0; t < nthreads; t++)
		snp_phase_pack(n, seg_len, tmp, dst, seg_out, total, t, nthreads);
	return total;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/plasmaxpl/engine/types"
)

// HostAvailable reports whether this build has the host-compiled kernels.
const HostAvailable = true

// HostKeccakBatch runs the kernel's per-message Keccak-256 code, compiled for
// the host, over message i = data[offsets[i]:offsets[i+1]].
func HostKeccakBatch(data []byte, offsets []uint32, out []types.Hash) {
	n := len(offsets) - 1
	if n <= 0 {
		return
	}
	if len(out) < n || int(offsets[n]) > len(data) {
		panic("kernels: HostKeccakBatch: short out or data")
	}
	var dp *C.uint8_t
	if len(data) > 0 {
		dp = (*C.uint8_t)(unsafe.Pointer(&data[0]))
	}
	C.host_keccak_batch(dp, (*C.uint32_t)(unsafe.Pointer(&offsets[0])), C.uint32_t(n),
		(*C.uint8_t)(unsafe.Pointer(&out[0][0])))
}

// HostSnappyChunk runs the kernel's per-chunk Snappy compressor, compiled
// for the host, and returns the Snappy block: the bytes the GPU produces for
// the same chunk and parameters.
func HostSnappyChunk(src []byte, segLen, lookback int) ([]byte, error) {
	if segLen <= 0 || lookback < 0 || segLen+lookback > SnappyMaxWindow {
		return nil, fmt.Errorf("kernels: segment %d + lookback %d outside 1..%d", segLen, lookback, SnappyMaxWindow)
	}
	if uint64(len(src)) > 1<<32-1 {
		return nil, fmt.Errorf("kernels: chunk of %d bytes over 4 GiB", len(src))
	}
	dst := make([]byte, SnappyChunkBound(len(src), segLen))
	var sp *C.uint8_t
	if len(src) > 0 {
		sp = (*C.uint8_t)(unsafe.Pointer(&src[0]))
	}
	n := C.host_snappy_chunk(sp, C.uint32_t(len(src)), C.uint32_t(segLen), C.uint32_t(lookback),
		(*C.uint8_t)(unsafe.Pointer(&dst[0])))
	return dst[:n], nil
}

// hostSnappyKernel runs the Snappy kernel's per-block phases on the host for
// one chunk, as a block of nthreads threads would.
func hostSnappyKernel(src []byte, segLen, lookback, nthreads int) []byte {
	bound := SnappyChunkBound(len(src), segLen)
	tmp := make([]byte, bound)
	dst := make([]byte, bound)
	segOut := make([]uint32, max(SnappySegments(len(src), segLen), 1))
	var sp *C.uint8_t
	if len(src) > 0 {
		sp = (*C.uint8_t)(unsafe.Pointer(&src[0]))
	}
	n := C.host_snappy_kernel(sp, C.uint32_t(len(src)), C.uint32_t(segLen), C.uint32_t(lookback),
		C.uint32_t(nthreads), (*C.uint8_t)(unsafe.Pointer(&tmp[0])), (*C.uint8_t)(unsafe.Pointer(&dst[0])),
		(*C.uint32_t)(unsafe.Pointer(&segOut[0])))
	return dst[:n]
}
