package precompile

import (
	"errors"
	"math/big"
	"math/bits"
)

// maxRunGas bounds the price of any input Run accepts. The interpreter
// charges RequiredGas before Run, so a real call never comes close (it is
// more than 30 times mainnet's block gas limit); the bound exists so that a
// direct Run on hostile input (lengths of 2^255, a million pairing pairs)
// fails at once instead of allocating gigabytes or computing for hours.
const maxRunGas = 1 << 30

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

// mulDiv is a*b/d, saturating at MaxUint64.
func mulDiv(a, b, d uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, d)
	return q
}

// adjustedExpLen is EIP-198's adjusted exponent length: from the exponent
// length and at most its first 32 bytes.
func adjustedExpLen(input []byte, blen, elen uint64) uint64 {
	// The exponent starts at 96+blen; the caller guarantees blen is small
	// enough for that offset to be meaningful (it returns early otherwise).
	headLen := min(elen, 32)
	var head [32]byte // the first headLen exponent bytes, big-endian
	if start := 96 + blen; start < uint64(len(input)) {
		copy(head[:headLen], input[start:])
	}
	// Bit length of the head.
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
		adj = satAdd(adj, satMul(8, elen-32))
	}
	return adj
}

// multComplexity198 is EIP-198's mult_complexity(x), saturating.
func multComplexity198(x uint64) uint64 {
	hi, sq := bits.Mul64(x, x)
	if hi != 0 {
		return ^uint64(0)
	}
	switch {
	case x <= 64:
		return sq
	case x <= 1024:
		return sq/4 + 96*x - 3072
	default:
		return satAdd(sq/16, satMul(480, x)) - 199680
	}
}

// gas computes the price from the lengths and the exponent's first 32
// bytes only: no allocation, no big-number work.
func (c modExp) gas(input []byte) uint64 {
	blen, elen, mlen := modExpLengths(input)
	x := max(blen, mlen)
	// Any length beyond 2^32 bytes costs more than MaxUint64 under both
	// formulas unless both base and modulus are empty (then x == 0 and the
	// price does not depend on the exponent's contents).
	const huge = 1 << 32
	if x > huge {
		return ^uint64(0)
	}
	var adj uint64
	if x > 0 {
		adj = adjustedExpLen(input, blen, elen)
	}
	iter := max(adj, 1)
	if !c.eip2565 {
		return mulDiv(multComplexity198(x), iter, 20)
	}
	w := x / 8
	if x%8 != 0 {
		w++
	}
	return max(200, mulDiv(w*w, iter, 3))
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

	// The exponent is the bytes present in the input followed by `missing`
	// zero bytes: base^(present * 2^(8*missing)) is base^present squared
	// 8*missing times. This never materialises the padding.
	var present []byte
	if blen < uint64(len(data)) {
		present = data[blen:]
		if uint64(len(present)) > elen {
			present = present[:elen]
		}
	}
	missing := elen - uint64(len(present))
	exp := new(big.Int).SetBytes(present)
	r := new(big.Int).Exp(base, exp, mod)
	if missing > 0 {
		squareRepeatedly(r, mod, satMul(missing, 8))
	}
	r.FillBytes(out)
	return out, nil
}

// squareRepeatedly sets r to r^(2^n) mod m.
func squareRepeatedly(r, m *big.Int, n uint64) {
	if m.IsUint64() {
		mm, x := m.Uint64(), r.Uint64()
		for ; n > 0 && x > 1; n-- {
			hi, lo := bits.Mul64(x, x)
			x = bits.Rem64(hi, lo, mm)
		}
		r.SetUint64(x)
		return
	}
	var t big.Int
	for ; n > 0 && r.BitLen() > 1; n-- { // 0 and 1 are fixed points
		t.Mul(r, r)
		r.Mod(&t, m)
	}
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
