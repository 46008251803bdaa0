// Batch Snappy compression: one thread block per chunk, one thread per
// segment (threads loop when a chunk has more segments than threads).
#include "snappy_core.h"

// snappy_compress_chunks compresses chunk c = src[src_off[c] : src_off[c+1]]
// (offsets relative to src) for c < n. Its Snappy block goes to
// dst[dst_off[c]:] and its length to dst_len[c]; dst_off[c+1]-dst_off[c] must
// be at least snp_chunk_bound of the chunk. scratch is laid out like dst and
// holds each segment's elements before they are packed. The launch needs
// 4*max_segments bytes of dynamic shared memory, max_segments being the
// largest segment count of any chunk.
extern "C" __global__ void snappy_compress_chunks(
	const uint8_t *__restrict__ src, const uint32_t *__restrict__ src_off,
	uint32_t n, uint32_t seg_len, uint32_t lookback,
	uint8_t *__restrict__ scratch, uint8_t *__restrict__ dst,
	const uint64_t *__restrict__ dst_off, uint32_t *__restrict__ dst_len)
{
	extern __shared__ uint32_t seg_out[];
	__shared__ uint32_t total;
	uint16_t table[1 << SNP_MAX_TABLE_BITS];

	uint32_t c = blockIdx.x;
	if (c >= n)
		return;
	const uint8_t *in = src + src_off[c];
	uint32_t len = src_off[c + 1] - src_off[c];
	uint8_t *tmp = scratch + dst_off[c];
	uint8_t *out = dst + dst_off[c];

	snp_phase_compress(in, len, seg_len, lookback, tmp, seg_out,
			   threadIdx.x, blockDim.x, table);
	__syncthreads();
	if (threadIdx.x == 0) {
		total = snp_phase_layout(len, seg_len, out, seg_out);
		dst_len[c] = total;
	}
	__syncthreads();
	snp_phase_pack(len, seg_len, tmp, out, seg_out, total, threadIdx.x, blockDim.x);
}
