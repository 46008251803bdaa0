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
	uint16_t table[1 << SNP_MAX_TABLE_BITS];

	uint32_t c = blockIdx.x;
	if (c >= n)
		return;
	const uint8_t *in = src + src_off[c];
	uint32_t len = src_off[c + 1] - src_off[c];
	uint32_t nseg = snp_segments(len, seg_len);
	uint32_t slot = snp_segment_bound(seg_len);
	uint8_t *tmp = scratch + dst_off[c];
	uint8_t *out = dst + dst_off[c];

	for (uint32_t s = threadIdx.x; s < nseg; s += blockDim.x) {
		uint32_t start = s * seg_len;
		uint32_t end = len - start > seg_len ? start + seg_len : len;
		seg_out[s] = snp_compress_segment(in, start, end, lookback,
						  tmp + (uint64_t)s * slot, table);
	}
	__syncthreads();
	if (threadIdx.x == 0) {
		// Turn segment sizes into output positions.
		uint32_t d = snp_put_varint(out, len);
		for (uint32_t s = 0; s < nseg; s++) {
			uint32_t size = seg_out[s];
			seg_out[s] = d;
			d += size;
		}
		dst_len[c] = d;
	}
	__syncthreads();
	for (uint32_t s = threadIdx.x; s < nseg; s += blockDim.x) {
		uint32_t at = seg_out[s];
		uint32_t size = (s + 1 < nseg ? seg_out[s + 1] : dst_len[c]) - at;
		const uint8_t *from = tmp + (uint64_t)s * slot;
		for (uint32_t i = 0; i < size; i++)
			out[at + i] = from[i];
	}
}
