package precompile

import (
	"errors"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// The alt_bn128 (bn254) precompiles of EIP-196 and EIP-197
// (https://eips.ethereum.org/EIPS/eip-196, https://eips.ethereum.org/EIPS/eip-197),
// repriced by EIP-1108 (https://eips.ethereum.org/EIPS/eip-1108) at Istanbul.
//
// Encoding: field elements are 32-byte big-endian integers below the field
// modulus; a G1 point is x || y with (0, 0) the point at infinity; a G2
// point is x || y with each Fp2 coordinate written imaginary part first.

var (
	errBN254Field    = errors.New("bn254: coordinate not below the field modulus")
	errBN254NotOnG1  = errors.New("bn254: G1 point not on the curve")
	errBN254NotOnG2  = errors.New("bn254: G2 point not on the twist")
	errBN254Subgroup = errors.New("bn254: G2 point not in the prime-order subgroup")
	errBN254Length   = errors.New("bn254: pairing input length is not a multiple of 192")
)

func bn254Fp(b []byte, e *fp.Element) error {
	if e.SetBytesCanonical(b) != nil {
		return errBN254Field
	}
	return nil
}

// bn254G1 decodes a 64-byte G1 point and checks it is on the curve (the
// curve has cofactor 1, so that also puts it in the group).
func bn254G1(b []byte, p *bn254.G1Affine) error {
	if err := bn254Fp(b[:32], &p.X); err != nil {
		return err
	}
	if err := bn254Fp(b[32:64], &p.Y); err != nil {
		return err
	}
	if !p.IsOnCurve() { // (0, 0) counts as on the curve: infinity
		return errBN254NotOnG1
	}
	return nil
}

// bn254G2 decodes a 128-byte G2 point and checks it is on the twist and in
// the prime-order subgroup.
func bn254G2(b []byte, p *bn254.G2Affine) error {
	if err := bn254Fp(b[0:32], &p.X.A1); err != nil {
		return err
	}
	if err := bn254Fp(b[32:64], &p.X.A0); err != nil {
		return err
	}
	if err := bn254Fp(b[64:96], &p.Y.A1); err != nil {
		return err
	}
	if err := bn254Fp(b[96:128], &p.Y.A0); err != nil {
		return err
	}
	if p.IsInfinity() {
		return nil
	}
	if !p.IsOnCurve() {
		return errBN254NotOnG2
	}
	if !p.IsInSubGroup() {
		return errBN254Subgroup
	}
	return nil
}

func bn254EncodeG1(p *bn254.G1Affine) []byte {
	out := make([]byte, 64)
	// The infinity point is (0, 0) in gnark's affine form too.
	x, y := p.X.Bytes(), p.Y.Bytes()
	copy(out[:32], x[:])
	copy(out[32:], y[:])
	return out
}

// bn254Add (0x06) adds two G1 points. Input is zero padded or truncated to
// 128 bytes.
type bn254Add struct{ gas uint64 }

func (c bn254Add) RequiredGas([]byte) uint64 { return c.gas }

func (bn254Add) Run(input []byte) ([]byte, error) {
	var in [128]byte
	copy(in[:], input)
	var a, b bn254.G1Affine
	if err := bn254G1(in[:64], &a); err != nil {
		return nil, err
	}
	if err := bn254G1(in[64:], &b); err != nil {
		return nil, err
	}
	a.Add(&a, &b)
	return bn254EncodeG1(&a), nil
}

// bn254Mul (0x07) multiplies a G1 point by a 256-bit scalar. Input is zero
// padded or truncated to 96 bytes.
type bn254Mul struct{ gas uint64 }

func (c bn254Mul) RequiredGas([]byte) uint64 { return c.gas }

func (bn254Mul) Run(input []byte) ([]byte, error) {
	var in [96]byte
	copy(in[:], input)
	var p bn254.G1Affine
	if err := bn254G1(in[:64], &p); err != nil {
		return nil, err
	}
	// Every curve point has order r, so the scalar can be reduced mod r
	// (which also keeps it in the range the GLV split expects).
	var s fr.Element
	s.SetBytes(in[64:96])
	if s.IsZero() || p.IsInfinity() {
		return make([]byte, 64), nil
	}
	var k big.Int
	s.BigInt(&k)
	p.ScalarMultiplication(&p, &k)
	return bn254EncodeG1(&p), nil
}

// bn254Pairing (0x08) checks that the product of the pairings of k (G1, G2)
// pairs is one. Input is exactly 192*k bytes; k = 0 gives true.
type bn254Pairing struct{ base, perPair uint64 }

func (c bn254Pairing) RequiredGas(input []byte) uint64 {
	return satAdd(c.base, satMul(c.perPair, uint64(len(input)/192)))
}

func (c bn254Pairing) Run(input []byte) ([]byte, error) {
	if len(input)%192 != 0 {
		return nil, errBN254Length
	}
	if c.RequiredGas(input) > maxRunGas {
		return nil, errTooExpensive
	}
	k := len(input) / 192
	out := make([]byte, 32)
	g1s := make([]bn254.G1Affine, 0, k)
	g2s := make([]bn254.G2Affine, 0, k)
	for i := 0; i < k; i++ {
		chunk := input[i*192 : (i+1)*192]
		var p bn254.G1Affine
		var q bn254.G2Affine
		if err := bn254G1(chunk[:64], &p); err != nil {
			return nil, err
		}
		if err := bn254G2(chunk[64:], &q); err != nil {
			return nil, err
		}
		// A pair with an infinity point contributes a factor of one.
		if p.IsInfinity() || q.IsInfinity() {
			continue
		}
		g1s = append(g1s, p)
		g2s = append(g2s, q)
	}
	if len(g1s) == 0 {
		out[31] = 1
		return out, nil
	}
	ok, err := bn254.PairingCheck(g1s, g2s)
	if err != nil {
		return nil, err
	}
	if ok {
		out[31] = 1
	}
	return out, nil
}
