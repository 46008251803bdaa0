package evm

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
)

// EIP-4844 constants.
const (
	GasPerBlob uint64 = 1 << 17 // blob gas consumed per blob
	// BlobHashVersionKZG is the only versioned-hash version (the first byte
	// of a blob's versioned hash).
	BlobHashVersionKZG byte   = 0x01
	txMinBlobBaseFee   uint64 = 1 // MIN_BASE_FEE_PER_BLOB_GAS
)

var txMaxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// BlobBaseFee returns the blob base fee of a block with the given excess
// blob gas under fork's update fraction (EIP-4844 fake_exponential, with
// EIP-7691's Prague fraction). Before Cancun it returns nil. A fee that
// would exceed 2^256-1 saturates there (no transaction can pay it).
func BlobBaseFee(excessBlobGas uint64, fork forks.Fork) *uint256.Int {
	sched := forks.BlobScheduleFor(fork)
	if sched.BaseFeeUpdateFraction == 0 {
		return nil
	}
	return txFakeExponential(txMinBlobBaseFee, excessBlobGas, sched.BaseFeeUpdateFraction)
}

// txFakeExponential approximates factor * e^(numerator/denominator) with
// EIP-4844's Taylor series in integer arithmetic. The sum only grows, so
// the loop stops as soon as the result is known to exceed 256 bits, which
// bounds the work for absurd excess values.
func txFakeExponential(factor, numerator, denominator uint64) *uint256.Int {
	var (
		num    = new(big.Int).SetUint64(numerator)
		den    = new(big.Int).SetUint64(denominator)
		output = new(big.Int)
		accum  = new(big.Int).Mul(new(big.Int).SetUint64(factor), den)
		limit  = new(big.Int).Mul(txMaxUint256, den) // output > limit: the result is at least 2^256-1
		div    = new(big.Int)
	)
	for i := int64(1); accum.Sign() > 0; i++ {
		output.Add(output, accum)
		if output.Cmp(limit) > 0 {
			return new(uint256.Int).SetAllOne()
		}
		accum.Mul(accum, num)
		div.Mul(den, big.NewInt(i))
		accum.Quo(accum, div)
	}
	output.Quo(output, den)
	r, overflow := uint256.FromBig(output)
	if overflow {
		return new(uint256.Int).SetAllOne()
	}
	return r
}

// CalcExcessBlobGas returns the excess blob gas of a block whose parent had
// parentExcess and used parentBlobGasUsed, with the target of fork (the
// child's fork): EIP-4844's calc_excess_blob_gas.
func CalcExcessBlobGas(parentExcess, parentBlobGasUsed uint64, fork forks.Fork) uint64 {
	target := forks.BlobScheduleFor(fork).Target * GasPerBlob
	sum, carry := bits.Add64(parentExcess, parentBlobGasUsed, 0)
	if carry != 0 {
		// The true sum is 2^64+sum; subtracting the target either brings it
		// back under 2^64 (exact modulo 2^64) or it saturates.
		if sum >= target {
			return math.MaxUint64
		}
		return sum - target
	}
	if sum < target {
		return 0
	}
	return sum - target
}

// MaxBlobGasPerBlock returns the blob gas limit of a block at fork (0
// before Cancun).
func MaxBlobGasPerBlock(fork forks.Fork) uint64 {
	return forks.BlobScheduleFor(fork).Max * GasPerBlob
}
