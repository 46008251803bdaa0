package precompile

import (
	"crypto/sha256"

	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // required by the Ethereum spec

	"github.com/plasmaxpl/engine/types"
)

// words is the number of 32-byte words needed to hold n bytes.
func words(n int) uint64 { return (uint64(n) + 31) / 32 }

// linearGas is base + perWord*words(n), saturating at MaxUint64 (inputs are
// bounded by memory, so saturation never happens in practice).
func linearGas(n int, base, perWord uint64) uint64 {
	w := words(n)
	if perWord != 0 && w > (^uint64(0)-base)/perWord {
		return ^uint64(0)
	}
	return base + perWord*w
}

// ecrecover (0x01) recovers the signer address of a secp256k1 signature.
// Input: hash(32) v(32) r(32) s(32), zero padded or truncated to 128 bytes.
// Invalid signatures yield empty output, never an error.
type ecrecover struct{}

func (ecrecover) RequiredGas([]byte) uint64 { return 3000 }

func (ecrecover) Run(input []byte) ([]byte, error) {
	var in [128]byte
	copy(in[:], input)
	// v is a 32-byte word that must be exactly 27 or 28.
	for _, b := range in[32:63] {
		if b != 0 {
			return nil, nil
		}
	}
	v := in[63]
	if v != 27 && v != 28 {
		return nil, nil
	}
	// The compact form is recovery-code || r || s, recovery code 27 + recid
	// (uncompressed key). RecoverCompact rejects r or s outside [1, n-1].
	var sig [65]byte
	sig[0] = v
	copy(sig[1:], in[64:128])
	pub, _, err := ecdsa.RecoverCompact(sig[:], in[:32])
	if err != nil {
		return nil, nil
	}
	raw := pub.SerializeUncompressed() // 0x04 || X || Y
	h := types.Keccak256(raw[1:])
	out := make([]byte, 32)
	copy(out[12:], h[12:])
	return out, nil
}

// sha256hash (0x02) is SHA-256 of the input.
type sha256hash struct{}

func (sha256hash) RequiredGas(input []byte) uint64 { return linearGas(len(input), 60, 12) }

func (sha256hash) Run(input []byte) ([]byte, error) {
	h := sha256.Sum256(input)
	return h[:], nil
}

// ripemd160hash (0x03) is RIPEMD-160 of the input, left-padded to 32 bytes.
type ripemd160hash struct{}

func (ripemd160hash) RequiredGas(input []byte) uint64 { return linearGas(len(input), 600, 120) }

func (ripemd160hash) Run(input []byte) ([]byte, error) {
	h := ripemd160.New()
	h.Write(input)
	out := make([]byte, 12, 32)
	return h.Sum(out), nil
}

// identity (0x04) returns a copy of its input.
type identity struct{}

func (identity) RequiredGas(input []byte) uint64 { return linearGas(len(input), 15, 3) }

func (identity) Run(input []byte) ([]byte, error) {
	out := make([]byte, len(input))
	copy(out, input)
	return out, nil
}
