package evm

import (
	"bytes"
	"fmt"
	"math"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Transaction-level gas constants, by the EIP that sets them.
const (
	TxGas                 uint64 = 21000 // base cost of every transaction
	TxGasContractCreation uint64 = 53000 // EIP-2: base cost of a creation from Homestead

	txDataZeroGas            uint64 = 4
	txDataNonZeroGasFrontier uint64 = 68
	txDataNonZeroGasEIP2028  uint64 = 16 // EIP-2028 (Istanbul)

	txAccessListAddressGas    uint64 = 2400 // EIP-2930
	txAccessListStorageKeyGas uint64 = 1900 // EIP-2930

	txInitCodeWordGas uint64 = 2 // EIP-3860 (Shanghai); the size limit is MaxInitCodeSize

	// TxAuthEmptyAccountGas is EIP-7702's PER_EMPTY_ACCOUNT_COST, charged
	// per authorization; TxAuthBaseGas is PER_AUTH_BASE_COST, and the
	// difference is refunded when the authority already exists.
	TxAuthEmptyAccountGas uint64 = 25000
	TxAuthBaseGas         uint64 = 12500

	txFloorGasPerToken uint64 = 10 // EIP-7623 TOTAL_COST_FLOOR_PER_TOKEN
	txTokensPerNonZero uint64 = 4  // EIP-7623: a non-zero byte is 4 tokens
)

// Transaction types (EIP-2718).
const (
	txTypeLegacy     = 0
	txTypeAccessList = 1 // EIP-2930
	txTypeDynamicFee = 2 // EIP-1559
	txTypeBlob       = 3 // EIP-4844
	txTypeSetCode    = 4 // EIP-7702
)

var txZeroByte = []byte{0}

// txZeroBytes counts the zero bytes of data (bytes.Count on one byte is
// vectorised).
func txZeroBytes(data []byte) uint64 {
	return uint64(bytes.Count(data, txZeroByte))
}

var errTxGasOverflow = fmt.Errorf("%w: gas overflows uint64", ErrIntrinsicGas)

// IntrinsicGas returns the gas a transaction costs before any code runs:
// the base cost, its calldata (EIP-2028 repriced non-zero bytes in
// Istanbul), its EIP-2930 access list, EIP-3860's initcode words for a
// creation (Shanghai) and EIP-7702's per-authorization cost. An error means
// the sum does not fit in a uint64, which no gas limit can pay.
func IntrinsicGas(data []byte, accessList types.AccessList, authCount uint64, isCreate bool, rules forks.Rules) (uint64, error) {
	gas := TxGas
	if isCreate && rules.IsHomestead {
		gas = TxGasContractCreation
	}
	if n := uint64(len(data)); n > 0 {
		zeros := txZeroBytes(data)
		nonZeros := n - zeros
		perNonZero := txDataNonZeroGasFrontier
		if rules.IsIstanbul {
			perNonZero = txDataNonZeroGasEIP2028
		}
		if nonZeros > (math.MaxUint64-gas)/perNonZero {
			return 0, errTxGasOverflow
		}
		gas += nonZeros * perNonZero
		if zeros > (math.MaxUint64-gas)/txDataZeroGas {
			return 0, errTxGasOverflow
		}
		gas += zeros * txDataZeroGas
		if isCreate && rules.IsShanghai {
			words := (n + 31) / 32
			if words > (math.MaxUint64-gas)/txInitCodeWordGas {
				return 0, errTxGasOverflow
			}
			gas += words * txInitCodeWordGas
		}
	}
	if len(accessList) > 0 {
		addrs := uint64(len(accessList))
		if addrs > (math.MaxUint64-gas)/txAccessListAddressGas {
			return 0, errTxGasOverflow
		}
		gas += addrs * txAccessListAddressGas
		keys := uint64(accessList.StorageKeyCount())
		if keys > (math.MaxUint64-gas)/txAccessListStorageKeyGas {
			return 0, errTxGasOverflow
		}
		gas += keys * txAccessListStorageKeyGas
	}
	if authCount > 0 {
		if authCount > (math.MaxUint64-gas)/TxAuthEmptyAccountGas {
			return 0, errTxGasOverflow
		}
		gas += authCount * TxAuthEmptyAccountGas
	}
	return gas, nil
}

// FloorDataGas returns EIP-7623's minimum gas a transaction pays from
// Prague: 21000 + 10 per calldata token, where a zero byte is one token
// and a non-zero byte four.
func FloorDataGas(data []byte) (uint64, error) {
	n := uint64(len(data))
	zeros := txZeroBytes(data)
	tokens := zeros + (n-zeros)*txTokensPerNonZero // len(data) < 2^61: no overflow
	if tokens > (math.MaxUint64-TxGas)/txFloorGasPerToken {
		return 0, errTxGasOverflow
	}
	return TxGas + tokens*txFloorGasPerToken, nil
}

// txTypeError reports a transaction type that the fork does not know.
type txTypeError struct {
	txType uint8
	fork   forks.Fork
}

func (e *txTypeError) Error() string {
	return fmt.Sprintf("%v: type %d at %v", ErrTxTypeNotSupported, e.txType, e.fork)
}

func (e *txTypeError) Unwrap() error { return ErrTxTypeNotSupported }

// CheckTxType reports whether transactions of type txType are valid under
// rules: type 1 from Berlin (EIP-2930), 2 from London (EIP-1559), 3 from
// Cancun (EIP-4844), 4 from Prague (EIP-7702). The error wraps
// ErrTxTypeNotSupported.
func CheckTxType(txType uint8, rules forks.Rules) error {
	ok := false
	switch txType {
	case txTypeLegacy:
		ok = true
	case txTypeAccessList:
		ok = rules.IsBerlin
	case txTypeDynamicFee:
		ok = rules.IsLondon
	case txTypeBlob:
		ok = rules.IsCancun
	case txTypeSetCode:
		ok = rules.IsPrague
	}
	if !ok {
		return &txTypeError{txType: txType, fork: rules.Fork}
	}
	return nil
}
