// Keccak-256 (the original Keccak padding used by Ethereum, not SHA3-256)
// of one message, written once for both the GPU and the host. The state
// lives in 25 scalars indexed only by compile-time constants after
// unrolling, so nvcc keeps it in registers.
//
// Reference: FIPS 202 (the Keccak-f[1600] permutation, rate 1088 bits for a
// 256-bit output) with the pad10*1 rule starting at 0x01.
#ifndef PLASMA_KECCAK_CORE_H
#define PLASMA_KECCAK_CORE_H

#include "common.h"

#define KECCAK256_RATE 136
#define KECCAK256_RATE_LANES 17

#ifdef __CUDACC__
__constant__
#else
static const
#endif
uint64_t keccak_round_constants[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL,
	0x8000000080008000ULL, 0x000000000000808BULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008AULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
	0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800AULL, 0x800000008000000AULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

PK_FN uint64_t keccak_rotl(uint64_t x, unsigned n)
{
	return n == 0 ? x : (x << n) | (x >> (64 - n));
}

// Rotation amount of lane x+5*y (the rho step), as a constant expression so
// that unrolled loops fold it.
#define KECCAK_RHO(i) \
	((i) == 0 ? 0 : (i) == 1 ? 1 : (i) == 2 ? 62 : (i) == 3 ? 28 : (i) == 4 ? 27 : \
	 (i) == 5 ? 36 : (i) == 6 ? 44 : (i) == 7 ? 6 : (i) == 8 ? 55 : (i) == 9 ? 20 : \
	 (i) == 10 ? 3 : (i) == 11 ? 10 : (i) == 12 ? 43 : (i) == 13 ? 25 : (i) == 14 ? 39 : \
	 (i) == 15 ? 41 : (i) == 16 ? 45 : (i) == 17 ? 15 : (i) == 18 ? 21 : (i) == 19 ? 8 : \
	 (i) == 20 ? 18 : (i) == 21 ? 2 : (i) == 22 ? 61 : (i) == 23 ? 56 : 14)

// keccak_f1600 applies the 24-round permutation to the state a, where lane
// (x, y) is a[x + 5*y].
PK_FN void keccak_f1600(uint64_t a[25])
{
	for (int round = 0; round < 24; round++) {
		uint64_t c[5], b[25];
		PK_UNROLL
		for (int x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		PK_UNROLL
		for (int x = 0; x < 5; x++) {
			uint64_t d = c[(x + 4) % 5] ^ keccak_rotl(c[(x + 1) % 5], 1);
			PK_UNROLL
			for (int y = 0; y < 25; y += 5)
				a[x + y] ^= d;
		}
		// rho and pi: lane (x, y) moves to (y, 2x+3y).
		PK_UNROLL
		for (int i = 0; i < 25; i++) {
			int x = i % 5, y = i / 5;
			b[y + 5 * ((2 * x + 3 * y) % 5)] = keccak_rotl(a[i], KECCAK_RHO(i));
		}
		// chi
		PK_UNROLL
		for (int y = 0; y < 25; y += 5) {
			PK_UNROLL
			for (int x = 0; x < 5; x++)
				a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
		}
		// iota
		a[0] ^= keccak_round_constants[round];
	}
}

// keccak_load64 reads 8 bytes little-endian from p, which may be unaligned.
PK_FN uint64_t keccak_load64(const uint8_t *p)
{
#ifdef __CUDA_ARCH__
	if (((uintptr_t)p & 7) == 0)
		return *(const uint64_t *)p;
#endif
	uint64_t v = 0;
	PK_UNROLL
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

// keccak256 writes the 32-byte Keccak-256 digest of msg[0:len] to out.
PK_FN void keccak256(const uint8_t *msg, uint32_t len, uint8_t *out)
{
	uint64_t a[25];
	PK_UNROLL
	for (int i = 0; i < 25; i++)
		a[i] = 0;
	while (len >= KECCAK256_RATE) {
		PK_UNROLL
		for (int i = 0; i < KECCAK256_RATE_LANES; i++)
			a[i] ^= keccak_load64(msg + 8 * i);
		keccak_f1600(a);
		msg += KECCAK256_RATE;
		len -= KECCAK256_RATE;
	}
	// Last block: len < 136 bytes remain. Every lane index stays a
	// compile-time constant so the state is never indexed dynamically.
	uint32_t full = len / 8, rem = len % 8;
	PK_UNROLL
	for (int i = 0; i < KECCAK256_RATE_LANES; i++) {
		uint64_t w = 0;
		if ((uint32_t)i < full) {
			w = keccak_load64(msg + 8 * i);
		} else if ((uint32_t)i == full) {
			for (uint32_t j = 0; j < rem; j++)
				w |= (uint64_t)msg[8 * i + j] << (8 * j);
			w |= (uint64_t)0x01 << (8 * rem);
		}
		if (i == KECCAK256_RATE_LANES - 1)
			w ^= 0x8000000000000000ULL;
		a[i] ^= w;
	}
	keccak_f1600(a);
#ifdef __CUDA_ARCH__
	if (((uintptr_t)out & 7) == 0) {
		PK_UNROLL
		for (int i = 0; i < 4; i++)
			((uint64_t *)out)[i] = a[i];
		return;
	}
#endif
	PK_UNROLL
	for (int i = 0; i < 4; i++) {
		PK_UNROLL
		for (int j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(a[i] >> (8 * j));
	}
}

#endif
