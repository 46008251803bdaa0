package precompile

import (
	"errors"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// The BLS12-381 precompiles of EIP-2537 (https://eips.ethereum.org/EIPS/eip-2537),
// active from Prague, in the EIP's final form: seven contracts at 0x0b..0x11
// (MSM with one pair replaces separate multiplication contracts).
//
// Encoding: an Fp element is 64 bytes, big-endian, top 16 bytes zero, value
// below the field modulus. An Fp2 element c0 + c1*v is c0 || c1. A point is
// x || y (G1: 128 bytes, G2: 256 bytes) and all zeros encode the point at
// infinity. A scalar is 32 bytes, big-endian, any value. Add checks only
// that points are on the curve; MSM and pairing also check the subgroup.

const (
	blsFpLen      = 64
	blsG1Len      = 2 * blsFpLen // 128
	blsG2Len      = 4 * blsFpLen // 256
	blsScalarLen  = 32
	blsG1MSMPair  = blsG1Len + blsScalarLen // 160
	blsG2MSMPair  = blsG2Len + blsScalarLen // 288
	blsPairingLen = blsG1Len + blsG2Len     // 384
)

var (
	errBLSLength      = errors.New("bls12-381: invalid input length")
	errBLSFieldTop    = errors.New("bls12-381: field element's top 16 bytes are not zero")
	errBLSField       = errors.New("bls12-381: field element not below the modulus")
	errBLSNotOnG1     = errors.New("bls12-381: G1 point not on the curve")
	errBLSNotOnG2     = errors.New("bls12-381: G2 point not on the curve")
	errBLSSubgroupG1  = errors.New("bls12-381: G1 point not in the prime-order subgroup")
	errBLSSubgroupG2  = errors.New("bls12-381: G2 point not in the prime-order subgroup")
	errBLSMSMInternal = errors.New("bls12-381: multi-scalar multiplication failed")
)

// msmConfig runs MSMs on the calling goroutine: the engine already runs
// transactions in parallel, so a precompile must not fan out on its own.
var msmConfig = ecc.MultiExpConfig{NbTasks: 1}

func blsDecodeFp(b []byte, e *fp.Element) error {
	for _, x := range b[:16] {
		if x != 0 {
			return errBLSFieldTop
		}
	}
	if e.SetBytesCanonical(b[16:blsFpLen]) != nil {
		return errBLSField
	}
	return nil
}

// blsDecodeG1 decodes a 128-byte point, checking it is on the curve and,
// when subgroup is set, in the prime-order subgroup. All zeros is infinity,
// which gnark also represents as (0, 0).
func blsDecodeG1(b []byte, p *bls.G1Affine, subgroup bool) error {
	if err := blsDecodeFp(b[:64], &p.X); err != nil {
		return err
	}
	if err := blsDecodeFp(b[64:128], &p.Y); err != nil {
		return err
	}
	if p.IsInfinity() {
		return nil
	}
	if !p.IsOnCurve() {
		return errBLSNotOnG1
	}
	if subgroup && !p.IsInSubGroup() {
		return errBLSSubgroupG1
	}
	return nil
}

func blsDecodeG2(b []byte, p *bls.G2Affine, subgroup bool) error {
	if err := blsDecodeFp(b[0:64], &p.X.A0); err != nil {
		return err
	}
	if err := blsDecodeFp(b[64:128], &p.X.A1); err != nil {
		return err
	}
	if err := blsDecodeFp(b[128:192], &p.Y.A0); err != nil {
		return err
	}
	if err := blsDecodeFp(b[192:256], &p.Y.A1); err != nil {
		return err
	}
	if p.IsInfinity() {
		return nil
	}
	if !p.IsOnCurve() {
		return errBLSNotOnG2
	}
	if subgroup && !p.IsInSubGroup() {
		return errBLSSubgroupG2
	}
	return nil
}

func blsPutFp(dst []byte, e *fp.Element) {
	b := e.Bytes()
	copy(dst[16:blsFpLen], b[:])
}

func blsEncodeG1(p *bls.G1Affine) []byte {
	out := make([]byte, blsG1Len)
	if p.IsInfinity() {
		return out
	}
	blsPutFp(out[0:64], &p.X)
	blsPutFp(out[64:128], &p.Y)
	return out
}

func blsEncodeG2(p *bls.G2Affine) []byte {
	out := make([]byte, blsG2Len)
	if p.IsInfinity() {
		return out
	}
	blsPutFp(out[0:64], &p.X.A0)
	blsPutFp(out[64:128], &p.X.A1)
	blsPutFp(out[128:192], &p.Y.A0)
	blsPutFp(out[192:256], &p.Y.A1)
	return out
}

// blsG1Add (0x0b) adds two G1 points (no subgroup check).
type blsG1Add struct{}

func (blsG1Add) RequiredGas([]byte) uint64 { return 375 }

func (blsG1Add) Run(input []byte) ([]byte, error) {
	if len(input) != 2*blsG1Len {
		return nil, errBLSLength
	}
	var a, b bls.G1Affine
	if err := blsDecodeG1(input[:blsG1Len], &a, false); err != nil {
		return nil, err
	}
	if err := blsDecodeG1(input[blsG1Len:], &b, false); err != nil {
		return nil, err
	}
	a.Add(&a, &b)
	return blsEncodeG1(&a), nil
}

// blsG2Add (0x0d) adds two G2 points (no subgroup check).
type blsG2Add struct{}

func (blsG2Add) RequiredGas([]byte) uint64 { return 600 }

func (blsG2Add) Run(input []byte) ([]byte, error) {
	if len(input) != 2*blsG2Len {
		return nil, errBLSLength
	}
	var a, b bls.G2Affine
	if err := blsDecodeG2(input[:blsG2Len], &a, false); err != nil {
		return nil, err
	}
	if err := blsDecodeG2(input[blsG2Len:], &b, false); err != nil {
		return nil, err
	}
	a.Add(&a, &b)
	return blsEncodeG2(&a), nil
}

// EIP-2537's MSM discount tables: entry k-1 is the discount (per mille) for
// k pairs; beyond 128 pairs the last entry applies.
var blsG1MSMDiscount = [128]uint16{
	1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677,
	673, 669, 665, 661, 658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627,
	625, 623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604, 603, 601, 599, 598,
	596, 595, 593, 592, 591, 589, 588, 586, 585, 584, 582, 581, 580, 579, 577, 576,
	575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559,
	558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545, 544,
	543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531,
	530, 529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
}

var blsG2MSMDiscount = [128]uint16{
	1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717,
	711, 704, 699, 693, 688, 683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646,
	643, 640, 637, 634, 632, 629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607,
	606, 604, 602, 600, 598, 597, 595, 593, 592, 590, 589, 587, 586, 584, 583, 582,
	580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562,
	561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548, 547,
	546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535,
	534, 533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
}

// Single-multiplication prices the MSM formula scales.
const (
	blsG1MulGas       = 12000
	blsG2MulGas       = 22500
	blsMSMMultiplier  = 1000
	blsPairingBaseGas = 37700
	blsPairingPairGas = 32600
)

// blsMSMGas is k * mulGas * discount(k) / 1000 with k = len / pairLen
// (rounded down; a bad length fails in Run). Zero pairs cost nothing.
func blsMSMGas(inputLen, pairLen int, mulGas uint64, table *[128]uint16) uint64 {
	k := uint64(inputLen / pairLen)
	if k == 0 {
		return 0
	}
	d := uint64(table[len(table)-1])
	if k <= uint64(len(table)) {
		d = uint64(table[k-1])
	}
	return satMul(satMul(k, mulGas), d) / blsMSMMultiplier
}

// scalarFromBytes reduces a 32-byte big-endian scalar mod the group order
// (valid because every MSM point is checked to lie in the subgroup).
func scalarFromBytes(b []byte, s *fr.Element) { s.SetBytes(b[:blsScalarLen]) }

// blsG1MSM (0x0c) computes sum(s_i * P_i) over k >= 1 pairs of a G1 point
// (subgroup checked) and a 32-byte scalar.
type blsG1MSM struct{}

func (blsG1MSM) RequiredGas(input []byte) uint64 {
	return blsMSMGas(len(input), blsG1MSMPair, blsG1MulGas, &blsG1MSMDiscount)
}

func (c blsG1MSM) Run(input []byte) ([]byte, error) {
	if len(input) == 0 || len(input)%blsG1MSMPair != 0 {
		return nil, errBLSLength
	}
	if c.RequiredGas(input) > maxRunGas {
		return nil, errTooExpensive
	}
	k := len(input) / blsG1MSMPair
	points := make([]bls.G1Affine, 0, k)
	scalars := make([]fr.Element, 0, k)
	for i := 0; i < k; i++ {
		chunk := input[i*blsG1MSMPair : (i+1)*blsG1MSMPair]
		var p bls.G1Affine
		if err := blsDecodeG1(chunk[:blsG1Len], &p, true); err != nil {
			return nil, err
		}
		var s fr.Element
		scalarFromBytes(chunk[blsG1Len:], &s)
		if p.IsInfinity() || s.IsZero() {
			continue // contributes nothing
		}
		points = append(points, p)
		scalars = append(scalars, s)
	}
	var r bls.G1Affine
	switch len(points) {
	case 0:
		// r stays the point at infinity
	case 1:
		var e big.Int
		scalars[0].BigInt(&e)
		r.ScalarMultiplication(&points[0], &e)
	default:
		if _, err := r.MultiExp(points, scalars, msmConfig); err != nil {
			return nil, errBLSMSMInternal
		}
	}
	return blsEncodeG1(&r), nil
}

// blsG2MSM (0x0e) is blsG1MSM over G2.
type blsG2MSM struct{}

func (blsG2MSM) RequiredGas(input []byte) uint64 {
	return blsMSMGas(len(input), blsG2MSMPair, blsG2MulGas, &blsG2MSMDiscount)
}

func (c blsG2MSM) Run(input []byte) ([]byte, error) {
	if len(input) == 0 || len(input)%blsG2MSMPair != 0 {
		return nil, errBLSLength
	}
	if c.RequiredGas(input) > maxRunGas {
		return nil, errTooExpensive
	}
	k := len(input) / blsG2MSMPair
	points := make([]bls.G2Affine, 0, k)
	scalars := make([]fr.Element, 0, k)
	for i := 0; i < k; i++ {
		chunk := input[i*blsG2MSMPair : (i+1)*blsG2MSMPair]
		var p bls.G2Affine
		if err := blsDecodeG2(chunk[:blsG2Len], &p, true); err != nil {
			return nil, err
		}
		var s fr.Element
		scalarFromBytes(chunk[blsG2Len:], &s)
		if p.IsInfinity() || s.IsZero() {
			continue
		}
		points = append(points, p)
		scalars = append(scalars, s)
	}
	var r bls.G2Affine
	switch len(points) {
	case 0:
	case 1:
		var e big.Int
		scalars[0].BigInt(&e)
		r.ScalarMultiplication(&points[0], &e)
	default:
		if _, err := r.MultiExp(points, scalars, msmConfig); err != nil {
			return nil, errBLSMSMInternal
		}
	}
	return blsEncodeG2(&r), nil
}

// blsPairing (0x0f) checks that the product of the pairings of k >= 1
// (G1, G2) pairs, all subgroup checked, is one.
type blsPairing struct{}

func (blsPairing) RequiredGas(input []byte) uint64 {
	return satAdd(blsPairingBaseGas, satMul(blsPairingPairGas, uint64(len(input)/blsPairingLen)))
}

func (c blsPairing) Run(input []byte) ([]byte, error) {
	if len(input) == 0 || len(input)%blsPairingLen != 0 {
		return nil, errBLSLength
	}
	if c.RequiredGas(input) > maxRunGas {
		return nil, errTooExpensive
	}
	k := len(input) / blsPairingLen
	g1s := make([]bls.G1Affine, 0, k)
	g2s := make([]bls.G2Affine, 0, k)
	for i := 0; i < k; i++ {
		chunk := input[i*blsPairingLen : (i+1)*blsPairingLen]
		var p bls.G1Affine
		var q bls.G2Affine
		if err := blsDecodeG1(chunk[:blsG1Len], &p, true); err != nil {
			return nil, err
		}
		if err := blsDecodeG2(chunk[blsG1Len:], &q, true); err != nil {
			return nil, err
		}
		if p.IsInfinity() || q.IsInfinity() {
			continue // e(P, O) = e(O, Q) = 1
		}
		g1s = append(g1s, p)
		g2s = append(g2s, q)
	}
	out := make([]byte, 32)
	if len(g1s) == 0 {
		out[31] = 1
		return out, nil
	}
	ok, err := bls.PairingCheck(g1s, g2s)
	if err != nil {
		return nil, err
	}
	if ok {
		out[31] = 1
	}
	return out, nil
}

// blsMapFpToG1 (0x10) maps a field element to G1 with the simplified SWU
// map of RFC 9380 (through the 11-isogeny) and clears the cofactor.
type blsMapFpToG1 struct{}

func (blsMapFpToG1) RequiredGas([]byte) uint64 { return 5500 }

func (blsMapFpToG1) Run(input []byte) ([]byte, error) {
	if len(input) != blsFpLen {
		return nil, errBLSLength
	}
	var u fp.Element
	if err := blsDecodeFp(input, &u); err != nil {
		return nil, err
	}
	p := bls.MapToG1(u)
	return blsEncodeG1(&p), nil
}

// blsMapFp2ToG2 (0x11) maps an Fp2 element to G2 with the simplified SWU
// map of RFC 9380 (through the 3-isogeny) and clears the cofactor.
type blsMapFp2ToG2 struct{}

func (blsMapFp2ToG2) RequiredGas([]byte) uint64 { return 23800 }

func (blsMapFp2ToG2) Run(input []byte) ([]byte, error) {
	if len(input) != 2*blsFpLen {
		return nil, errBLSLength
	}
	var u bls.E2
	if err := blsDecodeFp(input[:64], &u.A0); err != nil {
		return nil, err
	}
	if err := blsDecodeFp(input[64:], &u.A1); err != nil {
		return nil, err
	}
	p := bls.MapToG2(u)
	return blsEncodeG2(&p), nil
}
