package evm

import (
	"errors"
	"fmt"
	"math"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Header rules.
const (
	// EIP-1559.
	BaseFeeChangeDenominator uint64 = 8
	ElasticityMultiplier     uint64 = 2
	InitialBaseFee           uint64 = 1_000_000_000

	GasLimitBoundDivisor uint64 = 1024          // a block's gas limit moves by less than parent/1024
	MinGasLimit          uint64 = 5000          // and stays at least 5000
	MaxGasLimit          uint64 = math.MaxInt64 // 2^63-1, as Ethereum's clients bound it
	MaxExtraDataSize            = 32
)

// Errors that make a block invalid. Header checks return them wrapped with
// details; BlockExceptionName maps them to the fixtures' names.
var (
	ErrBlockNumber           = errors.New("invalid block number")
	ErrBlockTimestamp        = errors.New("timestamp not after parent")
	ErrGasLimitBounds        = errors.New("invalid gas limit")
	ErrGasLimitTooBig        = errors.New("gas limit above 2^63-1")
	ErrGasUsedOverLimit      = errors.New("gas used above gas limit")
	ErrExtraDataTooLong      = errors.New("extra data too long")
	ErrBaseFee               = errors.New("invalid base fee")
	ErrDifficultyPostMerge   = errors.New("non-zero difficulty after the merge")
	ErrNoncePostMerge        = errors.New("non-zero nonce after the merge")
	ErrUnclesPostMerge       = errors.New("uncles after the merge")
	ErrExcessBlobGas         = errors.New("invalid excess blob gas")
	ErrBlobGasUsed           = errors.New("invalid blob gas used")
	ErrBlobGasUsedAboveLimit = errors.New("blob gas used above limit")
	ErrMissingHeaderField    = errors.New("header field missing for the fork")
	ErrUnexpectedHeaderField = errors.New("header field not allowed before its fork")

	ErrGasUsedMismatch         = errors.New("gas used mismatch")
	ErrStateRootMismatch       = errors.New("state root mismatch")
	ErrReceiptsRootMismatch    = errors.New("receipts root mismatch")
	ErrTxRootMismatch          = errors.New("transactions root mismatch")
	ErrBloomMismatch           = errors.New("logs bloom mismatch")
	ErrWithdrawalsRootMismatch = errors.New("withdrawals root mismatch")
	ErrRequestsHashMismatch    = errors.New("requests hash mismatch")
	ErrInvalidRequests         = errors.New("invalid requests")
	ErrSystemCall              = errors.New("system contract call failed")
	ErrInvalidTx               = errors.New("invalid transaction")
	ErrMissingWithdrawals      = errors.New("block body without withdrawals")
	ErrUnexpectedWithdrawals   = errors.New("block body with withdrawals before Shanghai")
)

var blockExceptionNames = []struct {
	err  error
	name string
}{
	{ErrBlockNumber, "INVALID_BLOCK_NUMBER"},
	{ErrBlockTimestamp, "INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT"},
	{ErrGasLimitBounds, "INVALID_GASLIMIT"},
	{ErrGasLimitTooBig, "GASLIMIT_TOO_BIG"},
	{ErrGasUsedOverLimit, "GAS_USED_OVERFLOW"},
	{ErrExtraDataTooLong, "EXTRA_DATA_TOO_BIG"},
	{ErrBaseFee, "INVALID_BASEFEE_PER_GAS"},
	{ErrDifficultyPostMerge, "IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS"},
	{ErrNoncePostMerge, "INVALID_BLOCK_NONCE"},
	{ErrUnclesPostMerge, "IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS"},
	{ErrExcessBlobGas, "INCORRECT_EXCESS_BLOB_GAS"},
	{ErrBlobGasUsed, "INCORRECT_BLOB_GAS_USED"},
	{ErrBlobGasUsedAboveLimit, "BLOB_GAS_USED_ABOVE_LIMIT"},
	{ErrMissingHeaderField, "INCORRECT_BLOCK_FORMAT"},
	{ErrUnexpectedHeaderField, "INCORRECT_BLOCK_FORMAT"},
	{ErrGasUsedMismatch, "INVALID_GAS_USED"},
	{ErrStateRootMismatch, "INVALID_STATE_ROOT"},
	{ErrReceiptsRootMismatch, "INVALID_RECEIPTS_ROOT"},
	{ErrTxRootMismatch, "INVALID_TRANSACTIONS_ROOT"},
	{ErrBloomMismatch, "INVALID_LOG_BLOOM"},
	{ErrWithdrawalsRootMismatch, "INVALID_WITHDRAWALS_ROOT"},
	{ErrRequestsHashMismatch, "INVALID_REQUESTS"},
	{ErrInvalidRequests, "INVALID_REQUESTS"},
	{ErrSystemCall, "SYSTEM_CONTRACT_CALL_FAILED"},
	{ErrMissingWithdrawals, "RLP_WITHDRAWALS_NOT_READ"},
	{ErrUnexpectedWithdrawals, "RLP_STRUCTURES_ENCODING"},
}

// BlockExceptionName returns the fixtures' name for a block error, such as
// "BlockException.INVALID_GASLIMIT", or for an invalid transaction inside
// the block its TransactionException name; "" if err is not recognised.
func BlockExceptionName(err error) string {
	if err == nil {
		return ""
	}
	if n := TxExceptionName(err); n != "" {
		return n
	}
	for _, e := range blockExceptionNames {
		if errors.Is(err, e.err) {
			return "BlockException." + e.name
		}
	}
	return ""
}

// CalcBaseFee returns the EIP-1559 base fee of the child of parent at fork
// (the child's fork): nil before London, InitialBaseFee for the first
// London block (a parent without a base fee), otherwise the parent's base
// fee moved by at most 1/8 toward the gas target (half the gas limit).
func CalcBaseFee(parent *types.Header, fork forks.Fork) *uint256.Int {
	if !forks.RulesFor(fork).IsLondon {
		return nil
	}
	if parent.BaseFee == nil {
		return uint256.NewInt(InitialBaseFee)
	}
	target := parent.GasLimit / ElasticityMultiplier
	base := parent.BaseFee
	if parent.GasUsed == target || target == 0 {
		return new(uint256.Int).Set(base)
	}
	var delta, num uint256.Int
	if parent.GasUsed > target {
		num.SetUint64(parent.GasUsed - target)
		delta.Mul(base, &num)
		delta.Div(&delta, num.SetUint64(target))
		delta.Div(&delta, num.SetUint64(BaseFeeChangeDenominator))
		if delta.IsZero() {
			delta.SetOne()
		}
		return new(uint256.Int).Add(base, &delta)
	}
	num.SetUint64(target - parent.GasUsed)
	delta.Mul(base, &num)
	delta.Div(&delta, num.SetUint64(target))
	delta.Div(&delta, num.SetUint64(BaseFeeChangeDenominator))
	if delta.Gt(base) {
		return new(uint256.Int)
	}
	return new(uint256.Int).Sub(base, &delta)
}

// VerifyGasLimit checks a block's gas limit against its parent's: it may
// change by less than parentGasLimit/1024 and must be at least 5000 and at
// most 2^63-1. On the first London block the parent's limit counts double
// (EIP-1559 keeps the gas target).
func VerifyGasLimit(parentGasLimit, gasLimit uint64) error {
	if gasLimit > MaxGasLimit {
		return fmt.Errorf("%w: %d", ErrGasLimitTooBig, gasLimit)
	}
	var diff uint64
	if gasLimit > parentGasLimit {
		diff = gasLimit - parentGasLimit
	} else {
		diff = parentGasLimit - gasLimit
	}
	if limit := parentGasLimit / GasLimitBoundDivisor; diff >= limit {
		return fmt.Errorf("%w: have %d, parent %d, max change %d", ErrGasLimitBounds, gasLimit, parentGasLimit, limit-1)
	}
	if gasLimit < MinGasLimit {
		return fmt.Errorf("%w: %d below minimum %d", ErrGasLimitBounds, gasLimit, MinGasLimit)
	}
	return nil
}

// ValidateHeader checks the header fields that follow from the parent and
// the fork rules, before execution: number, timestamp, gas limit and gas
// used bounds, extra data size, the EIP-1559 base fee, the merge's zero
// difficulty and nonce, the fork's optional fields, and the EIP-4844 blob
// gas fields. Proof of work and the pre-merge difficulty formula are not
// checked.
func ValidateHeader(header, parent *types.Header, fork forks.Fork) error {
	rules := forks.RulesFor(fork)
	if header.Number != parent.Number+1 {
		return fmt.Errorf("%w: %d after parent %d", ErrBlockNumber, header.Number, parent.Number)
	}
	if header.Time <= parent.Time {
		return fmt.Errorf("%w: %d, parent %d", ErrBlockTimestamp, header.Time, parent.Time)
	}
	if len(header.Extra) > MaxExtraDataSize {
		return fmt.Errorf("%w: %d bytes", ErrExtraDataTooLong, len(header.Extra))
	}
	if header.GasUsed > header.GasLimit {
		return fmt.Errorf("%w: %d > %d", ErrGasUsedOverLimit, header.GasUsed, header.GasLimit)
	}
	parentGasLimit := parent.GasLimit
	if rules.IsLondon && parent.BaseFee == nil {
		parentGasLimit *= ElasticityMultiplier
	}
	if err := VerifyGasLimit(parentGasLimit, header.GasLimit); err != nil {
		return err
	}

	if err := blockCheckOptional(header, rules); err != nil {
		return err
	}
	if rules.IsLondon {
		if want := CalcBaseFee(parent, fork); !header.BaseFee.Eq(want) {
			return fmt.Errorf("%w: have %v, want %v", ErrBaseFee, header.BaseFee, want)
		}
	}
	if rules.IsMerge {
		if !header.Difficulty.IsZero() {
			return fmt.Errorf("%w: %v", ErrDifficultyPostMerge, &header.Difficulty)
		}
		if header.Nonce != (types.BlockNonce{}) {
			return ErrNoncePostMerge
		}
		if header.UncleHash != types.EmptyListHash {
			return fmt.Errorf("%w: uncle hash %v", ErrUnclesPostMerge, header.UncleHash)
		}
	}
	if rules.IsCancun {
		var parentExcess, parentUsed uint64
		if parent.ExcessBlobGas != nil && parent.BlobGasUsed != nil {
			parentExcess, parentUsed = *parent.ExcessBlobGas, *parent.BlobGasUsed
		}
		if want := CalcExcessBlobGas(parentExcess, parentUsed, fork); *header.ExcessBlobGas != want {
			return fmt.Errorf("%w: have %d, want %d", ErrExcessBlobGas, *header.ExcessBlobGas, want)
		}
		used := *header.BlobGasUsed
		if used%GasPerBlob != 0 {
			return fmt.Errorf("%w: %d not a multiple of %d", ErrBlobGasUsed, used, GasPerBlob)
		}
		if max := MaxBlobGasPerBlock(fork); used > max {
			return fmt.Errorf("%w: %d > %d", ErrBlobGasUsedAboveLimit, used, max)
		}
	}
	return nil
}

// blockCheckOptional checks that the header has exactly the optional
// fields of its fork.
func blockCheckOptional(h *types.Header, rules forks.Rules) error {
	fields := []struct {
		name   string
		set    bool
		active bool
	}{
		{"baseFeePerGas", h.BaseFee != nil, rules.IsLondon},
		{"withdrawalsRoot", h.WithdrawalsHash != nil, rules.IsShanghai},
		{"blobGasUsed", h.BlobGasUsed != nil, rules.IsCancun},
		{"excessBlobGas", h.ExcessBlobGas != nil, rules.IsCancun},
		{"parentBeaconBlockRoot", h.ParentBeaconRoot != nil, rules.IsCancun},
		{"requestsHash", h.RequestsHash != nil, rules.IsPrague},
	}
	for _, f := range fields {
		if f.active && !f.set {
			return fmt.Errorf("%w: %s at %v", ErrMissingHeaderField, f.name, rules.Fork)
		}
		if !f.active && f.set {
			return fmt.Errorf("%w: %s at %v", ErrUnexpectedHeaderField, f.name, rules.Fork)
		}
	}
	return nil
}

// ValidateBlockResult compares an executed block with its header: gas
// used, state, receipts and transactions roots, bloom, blob gas used, and
// from Prague the requests hash.
func ValidateBlockResult(header *types.Header, res *BlockResult) error {
	if header.GasUsed != res.GasUsed {
		return fmt.Errorf("%w: header %d, executed %d", ErrGasUsedMismatch, header.GasUsed, res.GasUsed)
	}
	if header.BlobGasUsed != nil && *header.BlobGasUsed != res.BlobGasUsed {
		return fmt.Errorf("%w: header %d, executed %d", ErrBlobGasUsed, *header.BlobGasUsed, res.BlobGasUsed)
	}
	if header.TxHash != res.TxRoot {
		return fmt.Errorf("%w: header %v, computed %v", ErrTxRootMismatch, header.TxHash, res.TxRoot)
	}
	if header.WithdrawalsHash != nil && res.WithdrawalsRoot != nil && *header.WithdrawalsHash != *res.WithdrawalsRoot {
		return fmt.Errorf("%w: header %v, computed %v", ErrWithdrawalsRootMismatch, *header.WithdrawalsHash, *res.WithdrawalsRoot)
	}
	if header.Bloom != res.Bloom {
		return ErrBloomMismatch
	}
	if header.ReceiptHash != res.ReceiptsRoot {
		return fmt.Errorf("%w: header %v, computed %v", ErrReceiptsRootMismatch, header.ReceiptHash, res.ReceiptsRoot)
	}
	if header.RequestsHash != nil && (res.RequestsHash == nil || *header.RequestsHash != *res.RequestsHash) {
		return fmt.Errorf("%w: header %v, computed %v", ErrRequestsHashMismatch, *header.RequestsHash, res.RequestsHash)
	}
	if header.Root != res.StateRoot {
		return fmt.Errorf("%w: header %v, computed %v", ErrStateRootMismatch, header.Root, res.StateRoot)
	}
	return nil
}
