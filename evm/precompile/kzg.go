package precompile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"sync"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// pointEvaluation (0x0a) verifies a KZG proof that the polynomial committed
// to by a blob's commitment takes the value y at z (EIP-4844,
// https://eips.ethereum.org/EIPS/eip-4844#point-evaluation-precompile).
//
// Input, exactly 192 bytes: versioned_hash (32) || z (32) || y (32) ||
// commitment (48) || proof (48). The versioned hash must be
// 0x01 || sha256(commitment)[1:]; z and y must be canonical scalars; the
// commitment and proof are compressed G1 points in the prime-order
// subgroup. Output: FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two 32-byte
// words.
//
// Verifying one proof needs only [τ]G2 from the mainnet trusted setup (the
// KZG ceremony's second G2 power), not the 4096 G1 powers, so that single
// point is all this package embeds.
type pointEvaluation struct{}

// kzgTauG2Compressed is [τ]G2 of Ethereum's KZG ceremony (g2_monomial[1] of
// the mainnet trusted setup), in the compressed ZCash encoding.
const kzgTauG2Compressed = "b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d" +
	"2914e5870cb452d2afaaab24f3499f72185cbfee53492714734429b7b38608e2" +
	"3926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2"

// blobVersionKZG is the version byte of a KZG versioned hash.
const blobVersionKZG = 0x01

// pointEvaluationOutput is FIELD_ELEMENTS_PER_BLOB (4096) then BLS_MODULUS,
// each a 32-byte big-endian word.
var pointEvaluationOutput = func() [64]byte {
	var out [64]byte
	out[30] = 0x10
	mod, _ := hex.DecodeString("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")
	copy(out[32:], mod)
	return out
}()

var (
	errKZGLength        = errors.New("point evaluation: input must be exactly 192 bytes")
	errKZGVersionedHash = errors.New("point evaluation: versioned hash does not match the commitment")
	errKZGScalar        = errors.New("point evaluation: z or y not below the BLS12-381 scalar modulus")
	errKZGCommitment    = errors.New("point evaluation: invalid commitment")
	errKZGProofPoint    = errors.New("point evaluation: invalid proof point")
	errKZGVerify        = errors.New("point evaluation: proof does not verify")
)

// kzgSetup holds what verification needs, decoded on first use.
var kzgSetup struct {
	once   sync.Once
	negG2  bls.G2Affine // -G2
	tauG2  bls.G2Affine // [τ]G2
	g1     bls.G1Affine
	g2     bls.G2Affine
	errMsg string
}

func loadKZGSetup() error {
	kzgSetup.once.Do(func() {
		_, _, g1, g2 := bls.Generators()
		kzgSetup.g1, kzgSetup.g2 = g1, g2
		kzgSetup.negG2.Neg(&g2)
		raw, err := hex.DecodeString(kzgTauG2Compressed)
		if err == nil {
			_, err = kzgSetup.tauG2.SetBytes(raw)
		}
		if err != nil {
			kzgSetup.errMsg = "point evaluation: bad embedded trusted setup: " + err.Error()
		}
	})
	if kzgSetup.errMsg != "" {
		return errors.New(kzgSetup.errMsg)
	}
	return nil
}

func (pointEvaluation) RequiredGas([]byte) uint64 { return 50000 }

func (pointEvaluation) Run(input []byte) ([]byte, error) {
	if len(input) != 192 {
		return nil, errKZGLength
	}
	versionedHash, zb, yb := input[:32], input[32:64], input[64:96]
	commitment, proof := input[96:144], input[144:192]

	h := sha256.Sum256(commitment)
	h[0] = blobVersionKZG
	if !bytes.Equal(versionedHash, h[:]) {
		return nil, errKZGVersionedHash
	}
	var z, y fr.Element
	if z.SetBytesCanonical(zb) != nil || y.SetBytesCanonical(yb) != nil {
		return nil, errKZGScalar
	}
	var c, pi bls.G1Affine
	if _, err := c.SetBytes(commitment); err != nil { // also checks the subgroup
		return nil, errKZGCommitment
	}
	if _, err := pi.SetBytes(proof); err != nil {
		return nil, errKZGProofPoint
	}
	if err := loadKZGSetup(); err != nil {
		return nil, err
	}

	// The proof is valid iff e(C - [y]G1, G2) == e(π, [τ]G2 - [z]G2), that is
	// e(C - [y]G1, -G2) * e(π, [τ - z]G2) == 1.
	var zi, yi big.Int
	z.BigInt(&zi)
	y.BigInt(&yi)
	var yG1, lhs bls.G1Affine
	yG1.ScalarMultiplication(&kzgSetup.g1, &yi)
	lhs.Sub(&c, &yG1)
	var zG2, rhs bls.G2Affine
	zG2.ScalarMultiplication(&kzgSetup.g2, &zi)
	rhs.Sub(&kzgSetup.tauG2, &zG2)

	ok, err := bls.PairingCheck([]bls.G1Affine{lhs, pi}, []bls.G2Affine{kzgSetup.negG2, rhs})
	if err != nil || !ok {
		return nil, errKZGVerify
	}
	out := make([]byte, 64)
	copy(out, pointEvaluationOutput[:])
	return out, nil
}
