// Batch Keccak-256: one thread per message.
#include "keccak_core.h"

// keccak256_batch hashes message i = data[offsets[i]-base : offsets[i+1]-base]
// into out[32*i : 32*i+32] for i < n. offsets has n+1 entries; base is
// offsets[0] so that the host may upload only the bytes the batch covers.
extern "C" __global__ void keccak256_batch(const uint8_t *__restrict__ data,
					   const uint32_t *__restrict__ offsets,
					   uint32_t base, uint32_t n,
					   uint8_t *__restrict__ out)
{
	uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	uint32_t start = offsets[i] - base, end = offsets[i + 1] - base;
	keccak256(data + start, end - start, out + 32 * (uint64_t)i);
}
