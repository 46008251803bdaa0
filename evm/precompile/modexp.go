package precompile

import (
	"errors"
	"math/big"
	"math/bits"
)

// maxRunGas bounds the price of any input that modexp, the pairings and the
// MSMs accept in Run. The interpreter charges RequiredGas before Run, so a
// real call never comes close: 2^34 (about 1.7e10) is some 400 times
// mainnet's block gas limit and 4 times the largest single call in
// Ethereum's own test suites (blake2f with 2^32-1 rounds). The bound exists
// so that a direct Run on hostile input (lengths of 2^255, a million
// pairing pairs) fails at once instead of allocating gigabytes or computing
// for hours. blake2f needs no bound: its price is at most 2^32-1.
const maxRunGas = 1 << 34

var errTooExpensive = errors.New("precompile: input priced above any payable gas")

// modExp (0x05) computes base^exp mod mod for arbitrary-length operands.
// Input: len(base) len(exp) len(mod) as 32-byte words, then the three
// operands, all zero padded on the right when the input is short.
//
// EIP-198 (https://eips.ethereum.org/EIPS/eip-198) introduced it at
// Byzantium; EIP-2565 (https://eips.ethereum.org/EIPS/eip-2565) repriced it
// at Berlin.
type modExp struct {
	eip2565 bool
}

// word32 reads the 32-byte big-endian word at input[off:off+32] (zero
// padded), saturating to MaxUint64 when it does not fit in 64 bits.
func word32(input []byte, off int) uint64 {
	var w [32]byte
	if off < len(input) {
		copy(w[:], input[off:])
	}
	for _, b := range w[:24] {
		if b != 0 {
			return ^uint64(0)
		}
	}
	var v uint64
	for _, b := range w[24:] {
		v = v<<8 | uint64(b)
	}
	return v
}

func modExpLengths(input []byte) (blen, elen, mlen uint64) {
	return word32(input, 0), word32(input, 32), word32(input, 64)
}

// satMul and satAdd are a*b and a+b saturating at MaxUint64.
func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}

func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return ^uint64(0)
	}
	return s
}

// mulDiv128 is (hi*2^64 + lo) * m / d, saturating at MaxUint64. d must be
// at least 2 (so a non-zero top word means the quotient overflows).
func mulDiv128(hi, lo, m, d uint64) uint64 {
	h0, a0 := bits.Mul64(lo, m)
	h1, l1 := bits.Mul64(hi, m)
	a1, carry := bits.Add64(l1, h0, 0)
	a2 := h1 + carry
	if a2 != 0 || a1 >= d {
		return ^uint64(0)
	}
	q, _ := bits.Div64(a1, a0, d)
	return q
}

// adjustedExpLen is EIP-198's adjusted exponent length, from the exponent
// length and at most its first 32 bytes. The caller guarantees blen < 2^37
// and elen < 2^61, so nothing here overflows.
func adjustedExpLen(input []byte, blen, elen uint64) uint64 {
	headLen := min(elen, 32)
	var head [32]byte // the first headLen exponent bytes, big-endian
	if start := 96 + blen; start < uint64(len(input)) {
		copy(head[:headLen], input[start:])
	}
	bitLen := uint64(0)
	for i := uint64(0); i < headLen; i++ {
		if head[i] != 0 {
			bitLen = (headLen-i-1)*8 + uint64(bits.Len8(head[i]))
			break
		}
	}
	var adj uint64
	if bitLen > 0 {
		adj = bitLen - 1
	}
	if elen > 32 {
		adj += 8 * (elen - 32)
	}
	return adj
}

// multComplexity198 is EIP-198's mult_complexity(x) as a 128-bit value
// (hi, lo), for x < 2^37.
func multComplexity198(x uint64) (hi, lo uint64) {
	sh, sl := bits.Mul64(x, x)
	switch {
	case x <= 64:
		return sh, sl
	case x <= 1024:
		return 0, sl/4 + 96*x - 3072
	default:
		// x^2/16 + 480x - 199680; the sum is positive for x > 1024.
		lo, hi = sl>>4|sh<<60, sh>>4
		var c uint64
		lo, c = bits.Add64(lo, 480*x, 0)
		hi += c
		lo, c = bits.Sub64(lo, 199680, 0)
		hi -= c
		return hi, lo
	}
}

// gas computes the price from the lengths and the exponent's first 32
// bytes only: no allocation, no big-number work. It is exact whenever the
// price is below 2^59; above that it may round up to MaxUint64, which is
// far beyond the gas any call can carry.
func (c modExp) gas(input []byte) uint64 {
	blen, elen, mlen := modExpLengths(input)
	x := max(blen, mlen)
	if x == 0 {
		// The price does not depend on the exponent at all.
		if c.eip2565 {
			return 200
		}
		return 0
	}
	// Past these bounds the price exceeds 2^59 under both formulas
	// (x > 2^37: x^2/320 > 2^64; elen >= 2^61: 8*elen/20 > 2^59).
	if x > 1<<37 || elen >= 1<<61 {
		return ^uint64(0)
	}
	iter := max(adjustedExpLen(input, blen, elen), 1)
	if !c.eip2565 {
		hi, lo := multComplexity198(x)
		return mulDiv128(hi, lo, iter, 20)
	}
	w := x / 8
	if x%8 != 0 {
		w++
	}
	hi, lo := bits.Mul64(w, w)
	return max(200, mulDiv128(hi, lo, iter, 3))
}

func (c modExp) RequiredGas(input []byte) uint64 { return c.gas(input) }

func (c modExp) Run(input []byte) ([]byte, error) {
	blen, elen, mlen := modExpLengths(input)
	if mlen == 0 {
		// Nothing to output, whatever the other lengths say.
		return []byte{}, nil
	}
	if c.gas(input) > maxRunGas {
		return nil, errTooExpensive
	}
	// From here blen and mlen are at most a few megabytes (the gas bound
	// above); elen may still be large, but only bytes present in the input
	// are ever copied.
	data := input[min(uint64(len(input)), 96):]
	base := new(big.Int).SetBytes(padded(data, 0, blen))
	mod := new(big.Int).SetBytes(padded(data, satAdd(blen, elen), mlen))
	out := make([]byte, mlen)
	if mod.Sign() == 0 {
		return out, nil
	}

	// A non-zero modulus has input bytes after the exponent, so the
	// exponent lies wholly inside the input: no padding to materialise, and
	// its size is bounded by the input the caller paid memory for.
	exp := new(big.Int).SetBytes(data[blen : blen+elen])
	r := new(big.Int).Exp(base, exp, mod)
	if mod.BitLen() == 1 { // x mod 1 = 0 whatever Exp does with a zero exponent
		r.SetInt64(0)
	}
	r.FillBytes(out)
	return out, nil
}

// padded returns data[off:off+n], zero padded on the right to n bytes. The
// caller bounds n.
func padded(data []byte, off, n uint64) []byte {
	out := make([]byte, n)
	if off < uint64(len(data)) {
		copy(out, data[off:])
	}
	return out
}
