//go:build cgo

package kernels

/*
#cgo CFLAGS: -O2 -std=c99 -Wall -Wno-unused-function
// Compile the Keccak code as nvcc compiles it for the device: with
// __CUDA_ARCH__ set, aligned messages are read and digests written a
// 64-bit word at a time. On a little-endian host this checks those paths.
#define __CUDA_ARCH__ 800
#include <stddef.h>
#include "keccak_core.h"

static void host_keccak_batch_devpath(const uint8_t *data, const uint32_t *offsets,
				      uint32_t n, uint8_t *out)
{
	for (uint32_t i = 0; i < n; i++)
		keccak256(data + offsets[i], offsets[i + 1] - offsets[i], out + 32 * (size_t)i);
}
*/
import "C"

import (
	"unsafe"

	"github.com/plasmaxpl/engine/types"
)

// hostKeccakBatchDevicePath is HostKeccakBatch built with the device's
// word-access paths.
func hostKeccakBatchDevicePath(data []byte, offsets []uint32, out []types.Hash) {
	n := len(offsets) - 1
	if n <= 0 {
		return
	}
	var dp *C.uint8_t
	if len(data) > 0 {
		dp = (*C.uint8_t)(unsafe.Pointer(&data[0]))
	}
	C.host_keccak_batch_devpath(dp, (*C.uint32_t)(unsafe.Pointer(&offsets[0])), C.uint32_t(n),
		(*C.uint8_t)(unsafe.Pointer(&out[0][0])))
}
