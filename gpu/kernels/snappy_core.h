// Snappy block compression of one chunk, written once for both the GPU and
// the host. The output is a standard Snappy block (format_description.txt of
// the Snappy project): a varint of the uncompressed length, then literal and
// copy elements. Any Snappy or S2 block decoder reads it.
//
// A chunk is cut into segments of seg_len bytes that are compressed
// independently (one GPU thread each) and concatenated: elements carry no
// state across boundaries, so the concatenation is one valid block. A
// segment may copy from up to `lookback` bytes before its start (which the
// decoder has already produced), so cutting costs little ratio.
//
// The matcher is a greedy LZ77 with a hash table of 4-byte prefixes that
// stores 16-bit positions relative to the window start; seg_len + lookback
// must not exceed SNP_MAX_WINDOW so every offset fits a 2-byte copy.
#ifndef PLASMA_SNAPPY_CORE_H
#define PLASMA_SNAPPY_CORE_H

#include "common.h"

#define SNP_MAX_WINDOW 65536u
#define SNP_MAX_TABLE_BITS 12
#define SNP_MIN_MATCH 4u
// Segments shorter than this are stored as one literal.
#define SNP_MIN_SEGMENT 16u

// snp_segment_bound bounds the bytes snp_compress_segment writes for n input
// bytes. Every copy element costs at most len-1 bytes for len >= 4 input
// bytes, so it pays for the 1-byte header of the literal run after it; a
// literal run longer than 60 bytes costs at most 2 more header bytes.
PK_FN uint32_t snp_segment_bound(uint32_t n)
{
	return n + n / 30 + 8;
}

PK_FN uint32_t snp_varint_len(uint32_t v)
{
	uint32_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

PK_FN uint32_t snp_put_varint(uint8_t *dst, uint32_t v)
{
	uint32_t n = 0;
	while (v >= 0x80) {
		dst[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	dst[n++] = (uint8_t)v;
	return n;
}

// snp_segments returns how many segments a chunk of n bytes has.
PK_FN uint32_t snp_segments(uint32_t n, uint32_t seg_len)
{
	return n == 0 ? 0 : (n - 1) / seg_len + 1;
}

// snp_chunk_bound bounds the size of a compressed chunk of n bytes.
PK_FN uint64_t snp_chunk_bound(uint32_t n, uint32_t seg_len)
{
	return 5 + (uint64_t)snp_segments(n, seg_len) * snp_segment_bound(seg_len);
}

// snp_table_bits sizes the hash table for a window of w bytes: about one
// entry per two bytes, between 2^8 and 2^SNP_MAX_TABLE_BITS entries.
PK_FN uint32_t snp_table_bits(uint32_t w)
{
	uint32_t bits = 8;
	while (bits < SNP_MAX_TABLE_BITS && (1u << (bits + 1)) < w)
		bits++;
	return bits;
}

PK_FN uint32_t snp_load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

PK_FN uint32_t snp_hash(uint32_t v, uint32_t bits)
{
	return (v * 0x9E3779B1u) >> (32 - bits);
}

PK_FN uint32_t snp_emit_literal(uint8_t *dst, const uint8_t *lit, uint32_t n)
{
	if (n == 0)
		return 0;
	uint32_t h, m = n - 1;
	if (m < 60) {
		dst[0] = (uint8_t)(m << 2);
		h = 1;
	} else if (m < 0x100) {
		dst[0] = 60 << 2;
		dst[1] = (uint8_t)m;
		h = 2;
	} else if (m < 0x10000) {
		dst[0] = 61 << 2;
		dst[1] = (uint8_t)m;
		dst[2] = (uint8_t)(m >> 8);
		h = 3;
	} else if (m < 0x1000000) {
		dst[0] = 62 << 2;
		dst[1] = (uint8_t)m;
		dst[2] = (uint8_t)(m >> 8);
		dst[3] = (uint8_t)(m >> 16);
		h = 4;
	} else {
		dst[0] = 63 << 2;
		dst[1] = (uint8_t)m;
		dst[2] = (uint8_t)(m >> 8);
		dst[3] = (uint8_t)(m >> 16);
		dst[4] = (uint8_t)(m >> 24);
		h = 5;
	}
	for (uint32_t i = 0; i < n; i++)
		dst[h + i] = lit[i];
	return h + n;
}

// snp_emit_copy writes copy elements for a match of len >= 4 bytes at
// distance offset (1 <= offset <= 65535).
PK_FN uint32_t snp_emit_copy(uint8_t *dst, uint32_t offset, uint32_t len)
{
	uint32_t d = 0;
	while (len > 64) {
		dst[d] = (63 << 2) | 2;
		dst[d + 1] = (uint8_t)offset;
		dst[d + 2] = (uint8_t)(offset >> 8);
		d += 3;
		len -= 64;
	}
	if (len >= 4 && len <= 11 && offset < 2048) {
		dst[d] = (uint8_t)(1 | ((len - 4) << 2) | ((offset >> 8) << 5));
		dst[d + 1] = (uint8_t)offset;
		return d + 2;
	}
	dst[d] = (uint8_t)(2 | ((len - 1) << 2));
	dst[d + 1] = (uint8_t)offset;
	dst[d + 2] = (uint8_t)(offset >> 8);
	return d + 3;
}

// snp_compress_segment writes the elements for src[start:end) to dst and
// returns their length (at most snp_segment_bound(end-start)). Copies reach
// back to at most max(start-lookback, 0). table is scratch space of
// 1<<SNP_MAX_TABLE_BITS entries. Requires end-start+lookback <= SNP_MAX_WINDOW.
PK_FN uint32_t snp_compress_segment(const uint8_t *src, uint32_t start,
				    uint32_t end, uint32_t lookback,
				    uint8_t *dst, uint16_t *table)
{
	uint32_t d = 0, lit = start;
	if (end - start >= SNP_MIN_SEGMENT) {
		uint32_t base = start > lookback ? start - lookback : 0;
		uint32_t bits = snp_table_bits(end - base);
		for (uint32_t i = 0; i < (1u << bits); i++)
			table[i] = 0;
		// Prime the table with the lookback window. Entries left at 0
		// point at base, a valid position checked like any other.
		for (uint32_t p = base; p + SNP_MIN_MATCH <= start; p++)
			table[snp_hash(snp_load32(src + p), bits)] = (uint16_t)(p - base);
		uint32_t pos = start, limit = end - SNP_MIN_MATCH, skip = 32;
		while (pos <= limit) {
			uint32_t v = snp_load32(src + pos);
			uint32_t h = snp_hash(v, bits);
			uint32_t cand = base + table[h];
			table[h] = (uint16_t)(pos - base);
			if (cand >= pos || snp_load32(src + cand) != v) {
				pos += skip >> 5;
				skip++;
				continue;
			}
			// Extend backwards over pending literals, then forwards.
			uint32_t len = SNP_MIN_MATCH;
			while (pos > lit && cand > base && src[pos - 1] == src[cand - 1]) {
				pos--;
				cand--;
				len++;
			}
			while (pos + len < end && src[cand + len] == src[pos + len])
				len++;
			d += snp_emit_literal(dst + d, src + lit, pos - lit);
			d += snp_emit_copy(dst + d, pos - cand, len);
			pos += len;
			lit = pos;
			skip = 32;
			if (pos <= limit + 2) {
				uint32_t p = pos - 2;
				table[snp_hash(snp_load32(src + p), bits)] = (uint16_t)(p - base);
			}
		}
	}
	d += snp_emit_literal(dst + d, src + lit, end - lit);
	return d;
}

// snp_compress_chunk compresses src[0:n) into dst (at least
// snp_chunk_bound(n, seg_len) bytes) as one Snappy block and returns its
// length. This is what the GPU kernel computes, one segment per thread.
PK_FN uint32_t snp_compress_chunk(const uint8_t *src, uint32_t n,
				  uint32_t seg_len, uint32_t lookback,
				  uint8_t *dst, uint16_t *table)
{
	uint32_t d = snp_put_varint(dst, n);
	for (uint32_t s = 0; s < n; s += seg_len) {
		uint32_t e = n - s > seg_len ? s + seg_len : n;
		d += snp_compress_segment(src, s, e, lookback, dst + d, table);
	}
	return d;
}

// The kernel's work on one chunk in three phases, between which the thread
// block synchronises. Written here so the host harness can run the phases
// one after another for every thread index and check the kernel's
// bookkeeping, not only the compressor.
//
// Phase 1, every thread: compress segments tid, tid+nthreads, ... of
// in[0:len) into their slots of tmp (snp_segment_bound(seg_len) bytes
// each) and record their sizes in seg_out.
PK_FN void snp_phase_compress(const uint8_t *in, uint32_t len, uint32_t seg_len,
			      uint32_t lookback, uint8_t *tmp, uint32_t *seg_out,
			      uint32_t tid, uint32_t nthreads, uint16_t *table)
{
	uint32_t nseg = snp_segments(len, seg_len), slot = snp_segment_bound(seg_len);
	for (uint32_t s = tid; s < nseg; s += nthreads) {
		uint32_t start = s * seg_len;
		uint32_t end = len - start > seg_len ? start + seg_len : len;
		seg_out[s] = snp_compress_segment(in, start, end, lookback,
						  tmp + (uint64_t)s * slot, table);
	}
}

// Phase 2, one thread: write the preamble to out, turn segment sizes into
// output positions, and return the block's length.
PK_FN uint32_t snp_phase_layout(uint32_t len, uint32_t seg_len, uint8_t *out,
				uint32_t *seg_out)
{
	uint32_t nseg = snp_segments(len, seg_len);
	uint32_t d = snp_put_varint(out, len);
	for (uint32_t s = 0; s < nseg; s++) {
		uint32_t size = seg_out[s];
		seg_out[s] = d;
		d += size;
	}
	return d;
}

// Phase 3, every thread: copy segments tid, tid+nthreads, ... from their
// slots in tmp to their positions in out; total is phase 2's result.
PK_FN void snp_phase_pack(uint32_t len, uint32_t seg_len, const uint8_t *tmp,
			  uint8_t *out, const uint32_t *seg_out, uint32_t total,
			  uint32_t tid, uint32_t nthreads)
{
	uint32_t nseg = snp_segments(len, seg_len), slot = snp_segment_bound(seg_len);
	for (uint32_t s = tid; s < nseg; s += nthreads) {
		uint32_t at = seg_out[s];
		uint32_t size = (s + 1 < nseg ? seg_out[s + 1] : total) - at;
		const uint8_t *from = tmp + (uint64_t)s * slot;
		for (uint32_t i = 0; i < size; i++)
			out[at + i] = from[i];
	}
}

#endif
