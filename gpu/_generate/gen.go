// Command _generate writes gpu/keccak_amd64.s and its Go stubs: multi-buffer
// Keccak-f[1600] permutations for AVX2 (4 lanes) and AVX-512 (8 lanes).
//
// The state of n lanes is interleaved: word i of lane j is at [i*n + j], so
// word i of every lane is one vector load. Word i is the Keccak lane (x, y)
// with i = x + 5y, as in FIPS 202.
//
// Rotation offsets and round constants are derived here from their
// definitions in FIPS 202 (sections 3.2.2 and 3.2.5) rather than typed in.
//
// Run with go generate in gpu/.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

const rounds = 24

// rotation[i] is the rho offset of state word i.
var rotation [25]int

// roundConstants[r] is the iota constant of round r.
var roundConstants [rounds]uint64

func init() {
	// rho: starting at (1, 0), the t-th lane visited gets (t+1)(t+2)/2.
	x, y := 1, 0
	for t := 0; t < 24; t++ {
		rotation[x+5*y] = ((t + 1) * (t + 2) / 2) % 64
		x, y = y, (2*x+3*y)%5
	}
	// iota: bit 2^j-1 of RC[r] is rc(j + 7r), rc the output of the LFSR
	// x^8 + x^6 + x^5 + x^4 + 1.
	for r := 0; r < rounds; r++ {
		for j := 0; j < 7; j++ {
			if lfsrBit(j + 7*r) {
				roundConstants[r] |= 1 << ((1 << j) - 1)
			}
		}
	}
}

func lfsrBit(t int) bool {
	t %= 255
	if t == 0 {
		return true
	}
	r := uint(1) // r bit k is R[k]
	for i := 1; i <= t; i++ {
		r <<= 1
		r8 := (r >> 8) & 1
		r ^= r8 | r8<<4 | r8<<5 | r8<<6
		r &= 0xff
	}
	return r&1 == 1
}

// piTarget returns the position that word (x, y) moves to under pi:
// B[y, 2x+3y] = A[x, y].
func piTarget(x, y int) int { return y + 5*((2*x+3*y)%5) }

// piSource returns the (x, y) whose word lands at position (X, Y) under pi.
func piSource(X, Y int) (int, int) {
	for x := 0; x < 5; x++ {
		if piTarget(x, X) == X+5*Y {
			return x, X
		}
	}
	panic("pi is not a permutation")
}

func main() {
	ConstraintExpr("!purego")
	rc := GLOBL("keccakRC", RODATA|NOPTR)
	for r, c := range roundConstants {
		DATA(8*r, U64(c))
	}
	rc4 := GLOBL("keccakRC4", RODATA|NOPTR)
	for r, c := range roundConstants {
		for k := 0; k < 4; k++ {
			DATA(32*r+8*k, U64(c))
		}
	}
	// VPSHUFB masks rotating each 64-bit word left by 8 and by 56 bits.
	// Bytes 0-31 rotate left by 8, bytes 32-63 by 56 (indices are within
	// each 128-bit half).
	masks := GLOBL("keccakRotMasks", RODATA|NOPTR)
	for half, shift := range []int{7, 1} {
		for w := 0; w < 4; w++ {
			var v uint64
			for b := 0; b < 8; b++ {
				v |= uint64(8*(w%2)+(b+shift)%8) << (8 * b)
			}
			DATA(32*half+8*w, U64(v))
		}
	}
	wordIdx := GLOBL("keccakWordIdx", RODATA|NOPTR)
	for w := 0; w < 17; w++ {
		DATA(8*w, U64(w))
	}
	one := GLOBL("keccakOne", RODATA|NOPTR)
	DATA(0, U64(1))
	seven := GLOBL("keccakSeven", RODATA|NOPTR)
	DATA(0, U64(7))
	pad80 := GLOBL("keccakPad80", RODATA|NOPTR)
	DATA(0, U64(0x80<<56))
	genX4(rc4, masks)
	genX8(rc)
	genShortX8(rc, wordIdx, one, seven, pad80)
	Generate()
}

// zmm lists the 32 AVX-512 registers.
var zmm = []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12,
	Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26,
	Z27, Z28, Z29, Z30, Z31}

// genX8 is the 8-lane AVX-512 absorb and permutation. The whole state lives
// in Z0-Z24 during the permutation.
func genX8(rc Mem) {
	TEXT("keccakBlockX8", NOSPLIT, "func(a *[200]uint64, blocks *[8]*byte, keep uint8)")
	Pragma("noescape")
	Doc("keccakBlockX8 absorbs one 136-byte block per lane into 8 interleaved",
		"states and applies Keccak-f[1600]. Lane j reads blocks[j]; a lane whose",
		"bit in keep is clear starts from the zero state.")
	p := Mem{Base: Load(Param("a"), GP64())}
	bp := Load(Param("blocks"), GP64())
	kg := Load(Param("keep"), GP32())
	KMOVW(kg, K1)

	var a [25]VecPhysical
	copy(a[:], zmm)

	Comment("Absorb: words 0-15 by two 8x8 transposes of the lanes' blocks.")
	var ptr [8]GPVirtual
	for j := range ptr {
		ptr[j] = GP64()
		MOVQ(Mem{Base: bp, Disp: 8 * j}, ptr[j])
	}
	R := zmm[16:24]
	for g := 0; g < 2; g++ {
		for j := 0; j < 8; j++ {
			VMOVDQU64(Mem{Base: ptr[j], Disp: 64 * g}, R[j])
		}
		transpose8(R, zmm[24:32], a[8*g:8*g+8])
		for w := 8 * g; w < 8*g+8; w++ {
			VPXORQ(p.Offset(64*w), a[w], K1, a[w])
		}
	}
	Comment("Word 16 by a gather; words 17-24 keep or clear the state.")
	zero := GP64()
	XORQ(zero, zero)
	VMOVDQU64(Mem{Base: bp}, Z17)
	KXNORW(K2, K2, K2)
	VPGATHERQQ(Mem{Base: zero, Index: Z17, Scale: 1, Disp: 128}, K2, a[16])
	VPXORQ(p.Offset(64*16), a[16], K1, a[16])
	for w := 17; w < 25; w++ {
		VMOVDQU64_Z(p.Offset(64*w), K1, a[w])
	}

	a = permute8(a, rc)
	Comment("Store the state.")
	for i := range a {
		VMOVDQU64(a[i], p.Offset(64*i))
	}
	VZEROUPPER()
	RET()
}

// genShortX8 hashes 8 messages shorter than a block each, start to finish:
// masked byte loads (nothing past a message is read), padding by vector
// compares, the permutation, and the digests transposed back to bytes.
func genShortX8(rc, wordIdx, one, seven, pad80 Mem) {
	TEXT("keccakShortX8", NOSPLIT, "func(out *[8]*[32]byte, base *byte, spans *[16]uint32)")
	Pragma("noescape")
	Doc("keccakShortX8 writes Keccak-256 of base[spans[j]:spans[8+j]] to *out[j]",
		"for j < 8. Every message must be shorter than 136 bytes.")
	outp := Load(Param("out"), GP64())
	base := Load(Param("base"), GP64())
	offs := Load(Param("spans"), GP64())
	local := AllocLocal(128) // lane j: pointer at 16j, length at 16j+8

	Comment("Each lane's start and length.")
	for j := 0; j < 8; j++ {
		lo, hi := GP64(), GP64()
		MOVL(Mem{Base: offs, Disp: 4 * j}, lo.As32())
		MOVL(Mem{Base: offs, Disp: 32 + 4*j}, hi.As32())
		SUBQ(lo, hi)
		ADDQ(base, lo)
		MOVQ(lo, local.Offset(16*j))
		MOVQ(hi, local.Offset(16*j+8))
	}
	ones := GP64()
	MOVQ(I64(-1), ones)
	// rowMask sets K1 to the bytes of lane j at or after byte start that
	// belong to its message.
	rowMask := func(j, start int) {
		n, zero := GP64(), GP64()
		MOVQ(local.Offset(16*j+8), n)
		if start > 0 {
			XORQ(zero, zero)
			SUBQ(U32(start), n)
			CMOVQLT(zero, n)
		}
		m := GP64()
		BZHIQ(n, ones, m)
		KMOVQ(m, K1)
	}

	var a [25]VecPhysical
	copy(a[:], zmm)
	R := zmm[16:24]
	for g := 0; g < 2; g++ {
		Commentf("Bytes %d-%d of each lane, transposed into words %d-%d.", 64*g, 64*g+63, 8*g, 8*g+7)
		for j := 0; j < 8; j++ {
			rowMask(j, 64*g)
			p := GP64()
			MOVQ(local.Offset(16*j), p)
			VMOVDQU8_Z(Mem{Base: p, Disp: 64 * g}, K1, R[j])
		}
		transpose8(R, zmm[24:32], a[8*g:8*g+8])
	}
	Comment("Bytes 128-135: word 16.")
	X := []VecPhysical{X16, X17, X18, X19, X20, X21, X22, X23}
	for j := 0; j < 8; j++ {
		rowMask(j, 128)
		p := GP64()
		MOVQ(local.Offset(16*j), p)
		VMOVDQU8_Z(Mem{Base: p, Disp: 128}, K1, X[j])
	}
	for k := 0; k < 4; k++ {
		VPUNPCKLQDQ(X[2*k+1], X[2*k], X[2*k])
	}
	VINSERTI32X4(U8(1), X[2], Z16, Z16)
	VINSERTI32X4(U8(2), X[4], Z16, Z16)
	VINSERTI32X4(U8(3), X[6], Z16, Z16)

	Comment("Padding: 0x01 after each message, 0x80 at byte 135.")
	L, W, V := Z17, Z18, Z19
	VPMOVZXDQ(Mem{Base: offs}, L)
	VPMOVZXDQ(Mem{Base: offs, Disp: 32}, W)
	VPSUBQ(L, W, L)          // lengths
	VPSRLQ(U8(3), L, W)      // word holding the 0x01
	VPANDQ_BCST(seven, L, L) // its byte in that word
	VPSLLQ(U8(3), L, L)
	VPBROADCASTQ(one, V)
	VPSLLVQ(L, V, V)
	for w := 0; w < 17; w++ {
		VPCMPEQQ_BCST(wordIdx.Offset(8*w), W, K1)
		VPXORQ(V, a[w], K1, a[w])
	}
	VPXORQ_BCST(pad80, a[16], a[16])
	for w := 17; w < 25; w++ {
		VPXORQ(a[w], a[w], a[w])
	}

	a = permute8(a, rc)

	Comment("Digests: words 0-3 of each lane, back to lane order.")
	var spare []VecPhysical // every register but those of words 0-3
	for _, r := range zmm {
		if r != a[0] && r != a[1] && r != a[2] && r != a[3] {
			spare = append(spare, r)
		}
	}
	t := spare[0:4]
	VPUNPCKLQDQ(a[1], a[0], t[0]) // lanes 2k: words 0, 1
	VPUNPCKHQDQ(a[1], a[0], t[1]) // lanes 2k+1: words 0, 1
	VPUNPCKLQDQ(a[3], a[2], t[2]) // lanes 2k: words 2, 3
	VPUNPCKHQDQ(a[3], a[2], t[3]) // lanes 2k+1: words 2, 3
	e := spare[4:6]
	o := []VecPhysical{a[0], a[1]}
	VSHUFI64X2(U8(0x44), t[2], t[0], e[0]) // lanes 0, 2 low; 0, 2 high
	VSHUFI64X2(U8(0xEE), t[2], t[0], e[1]) // lanes 4, 6
	VSHUFI64X2(U8(0x44), t[3], t[1], o[0]) // lanes 1, 3
	VSHUFI64X2(U8(0xEE), t[3], t[1], o[1]) // lanes 5, 7
	for k := 0; k < 2; k++ {
		VSHUFI64X2(U8(0x88), o[k], e[k], t[0]) // lanes 4k, 4k+1
		VSHUFI64X2(U8(0xDD), o[k], e[k], t[1]) // lanes 4k+2, 4k+3
		for h := 0; h < 2; h++ {
			p0, p1 := GP64(), GP64()
			MOVQ(Mem{Base: outp, Disp: 8 * (4*k + 2*h)}, p0)
			MOVQ(Mem{Base: outp, Disp: 8 * (4*k + 2*h + 1)}, p1)
			VMOVDQU(t[h].AsY(), Mem{Base: p0})
			VEXTRACTI64X4(U8(1), t[h], Mem{Base: p1})
		}
	}
	VZEROUPPER()
	RET()
}

// transpose8 turns rows (8 qwords of lane j in rows[j]) into columns
// (qword w of every lane in dst[w]), using tmp (8 registers) as scratch.
// rows is clobbered.
func transpose8(rows, tmp, dst []VecPhysical) {
	// tmp[2k] holds the even words of lanes 2k and 2k+1, tmp[2k+1] the odd.
	for k := 0; k < 4; k++ {
		VPUNPCKLQDQ(rows[2*k+1], rows[2*k], tmp[2*k])
		VPUNPCKHQDQ(rows[2*k+1], rows[2*k], tmp[2*k+1])
	}
	// 128-bit lane shuffles: 0x88 takes halves (0, 2), 0xDD (1, 3).
	for h := 0; h < 2; h++ {
		t := tmp[4*h:]
		VSHUFI64X2(U8(0x88), t[2], t[0], rows[4*h+0]) // words 0, 4
		VSHUFI64X2(U8(0xDD), t[2], t[0], rows[4*h+1]) // words 2, 6
		VSHUFI64X2(U8(0x88), t[3], t[1], rows[4*h+2]) // words 1, 5
		VSHUFI64X2(U8(0xDD), t[3], t[1], rows[4*h+3]) // words 3, 7
	}
	for k, w := range [][2]int{{0, 4}, {2, 6}, {1, 5}, {3, 7}} {
		VSHUFI64X2(U8(0x88), rows[4+k], rows[k], dst[w[0]])
		VSHUFI64X2(U8(0xDD), rows[4+k], rows[k], dst[w[1]])
	}
}

// permute8 emits the 24 rounds on the state in registers a (word i in
// a[i]) and returns where each word ends up. Registers not in a are
// scratch. rho is done in place and pi is a renaming of registers, so the
// rounds are unrolled and each sees a different register assignment.
func permute8(a [25]VecPhysical, rc Mem) [25]VecPhysical {
	var free []VecPhysical
	for _, r := range zmm {
		used := false
		for _, u := range a {
			used = used || u == r
		}
		if !used {
			free = append(free, r)
		}
	}
	take := func() VecPhysical {
		r := free[0]
		free = free[1:]
		return r
	}
	for r := 0; r < rounds; r++ {
		Commentf("Round %d.", r)
		// theta
		var c [5]VecPhysical
		for x := range c {
			c[x] = take()
			VPXORQ(a[x+5], a[x], c[x])
			VPTERNLOGQ(U8(0x96), a[x+15], a[x+10], c[x])
			VPXORQ(a[x+20], c[x], c[x])
		}
		t := take()
		for x := 0; x < 5; x++ {
			VPROLQ(U8(1), c[(x+1)%5], t)
			for y := 0; y < 5; y++ {
				VPTERNLOGQ(U8(0x96), c[(x+4)%5], t, a[x+5*y])
			}
		}
		free = append(free, c[:]...)
		free = append(free, t)
		// rho and pi
		var b [25]VecPhysical
		for y := 0; y < 5; y++ {
			for x := 0; x < 5; x++ {
				i := x + 5*y
				if rotation[i] != 0 {
					VPROLQ(U8(rotation[i]), a[i], a[i])
				}
				b[piTarget(x, y)] = a[i]
			}
		}
		// chi: out[X] = b[X] ^ (^b[X+1] & b[X+2]); 0xD2 is that function
		// of (dst, src2, src3) for VPTERNLOGQ.
		for y := 0; y < 5; y++ {
			b0, b1, b2, b3, b4 := b[5*y], b[5*y+1], b[5*y+2], b[5*y+3], b[5*y+4]
			f0, f1 := take(), take()
			VPANDNQ(b2, b1, f0)
			VPXORQ(b0, f0, f0)
			VPANDNQ(b3, b2, f1)
			VPXORQ(b1, f1, f1)
			VPTERNLOGQ(U8(0xD2), b4, b3, b2)
			VPTERNLOGQ(U8(0xD2), b0, b4, b3)
			VPTERNLOGQ(U8(0xD2), b1, b0, b4)
			a[5*y], a[5*y+1], a[5*y+2], a[5*y+3], a[5*y+4] = f0, f1, b2, b3, b4
			free = append(free, b0, b1)
		}
		// iota
		VPXORQ_BCST(rc.Offset(8*r), a[0], a[0])
	}
	return a
}

// genX4 is the 4-lane AVX2 permutation. Sixteen YMM registers cannot hold
// the state, so each round reads one buffer and writes the other (the
// caller's state and a stack copy), two rounds per loop iteration. The
// column parities for the next round's theta are accumulated as chi's
// outputs are stored.
func genX4(rc4, rol8 Mem) {
	TEXT("keccakBlockX4", 0, "func(a *[100]uint64, blocks *[4]*byte, keep *[4]uint64)")
	Pragma("noescape")
	Doc("keccakBlockX4 absorbs one 136-byte block per lane into 4 interleaved",
		"states and applies Keccak-f[1600]. Lane j reads blocks[j]; a lane whose",
		"keep word is zero starts from the zero state (keep words are 0 or ^0).")
	state := Mem{Base: Load(Param("a"), GP64())}
	bp := Load(Param("blocks"), GP64())
	kp := Load(Param("keep"), GP64())
	stack := AllocLocal(800)

	C := [5]VecPhysical{Y0, Y1, Y2, Y3, Y4}
	D := [5]VecPhysical{Y5, Y6, Y7, Y8, Y9}
	B := [5]VecPhysical{Y10, Y11, Y12, Y13, Y14}
	T := Y15
	rol56 := rol8.Offset(32)

	Comment("Absorb by 4x4 transposes, accumulating the column parities.")
	M := Y5
	VMOVDQU(Mem{Base: kp}, M)
	var ptr [4]GPVirtual
	for j := range ptr {
		ptr[j] = GP64()
		MOVQ(Mem{Base: bp, Disp: 8 * j}, ptr[j])
	}
	for x := range C {
		VPXOR(C[x], C[x], C[x])
	}
	// word folds v, the new value of state word w, into the state.
	word := func(w int, v VecPhysical) {
		VPAND(state.Offset(32*w), M, T)
		VPXOR(T, v, v)
		VMOVDQU(v, state.Offset(32*w))
		VPXOR(v, C[w%5], C[w%5])
	}
	rows := [4]VecPhysical{Y10, Y11, Y12, Y13}
	tr := [4]VecPhysical{Y6, Y7, Y8, Y9}
	for g := 0; g < 4; g++ {
		for j := range rows {
			VMOVDQU(Mem{Base: ptr[j], Disp: 32 * g}, rows[j])
		}
		VPUNPCKLQDQ(rows[1], rows[0], tr[0]) // words 0, 2 of lanes 0, 1
		VPUNPCKHQDQ(rows[1], rows[0], tr[1]) // words 1, 3 of lanes 0, 1
		VPUNPCKLQDQ(rows[3], rows[2], tr[2])
		VPUNPCKHQDQ(rows[3], rows[2], tr[3])
		VPERM2I128(U8(0x20), tr[2], tr[0], rows[0])
		VPERM2I128(U8(0x20), tr[3], tr[1], rows[1])
		VPERM2I128(U8(0x31), tr[2], tr[0], rows[2])
		VPERM2I128(U8(0x31), tr[3], tr[1], rows[3])
		for k := range rows {
			word(4*g+k, rows[k])
		}
	}
	VMOVQ(Mem{Base: ptr[0], Disp: 128}, X10)
	VPINSRQ(U8(1), Mem{Base: ptr[1], Disp: 128}, X10, X10)
	VMOVQ(Mem{Base: ptr[2], Disp: 128}, X11)
	VPINSRQ(U8(1), Mem{Base: ptr[3], Disp: 128}, X11, X11)
	VINSERTI128(U8(1), X11, Y10, Y10)
	word(16, Y10)
	for w := 17; w < 25; w++ {
		VPAND(state.Offset(32*w), M, Y10)
		VMOVDQU(Y10, state.Offset(32*w))
		VPXOR(Y10, C[w%5], C[w%5])
	}

	rcp := GP64()
	LEAQ(rc4, rcp)
	n := GP64()
	MOVQ(U32(rounds/2), n)

	round := func(src, dst Mem, rcOff int) {
		for x := 0; x < 5; x++ {
			c := C[(x+1)%5]
			VPADDQ(c, c, T)
			VPSRLQ(U8(63), c, D[x])
			VPOR(T, D[x], D[x])
			VPXOR(C[(x+4)%5], D[x], D[x])
		}
		for Y := 0; Y < 5; Y++ {
			for X := 0; X < 5; X++ {
				x, y := piSource(X, Y)
				i := x + 5*y
				VPXOR(src.Offset(32*i), D[x], B[X])
				switch r := rotation[i]; r {
				case 0:
				case 8:
					VPSHUFB(rol8, B[X], B[X])
				case 56:
					VPSHUFB(rol56, B[X], B[X])
				default:
					VPSLLQ(U8(r), B[X], T)
					VPSRLQ(U8(64-r), B[X], B[X])
					VPOR(T, B[X], B[X])
				}
			}
			for X := 0; X < 5; X++ {
				o := T
				if Y == 0 {
					o = C[X]
				}
				VPANDN(B[(X+2)%5], B[(X+1)%5], o)
				VPXOR(B[X], o, o)
				if X == 0 && Y == 0 {
					VPXOR(Mem{Base: rcp, Disp: rcOff}, o, o)
				}
				VMOVDQU(o, dst.Offset(32*(X+5*Y)))
				if Y > 0 {
					VPXOR(T, C[X], C[X])
				}
			}
		}
	}

	Label("rounds")
	Comment("Two rounds: state to stack, stack to state.")
	round(state, stack, 0)
	round(stack, state, 32)
	ADDQ(U8(64), rcp)
	DECQ(n)
	JNZ(LabelRef("rounds"))
	VZEROUPPER()
	RET()
}
