package evm

import (
	"fmt"
	"math"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// Message is a transaction as the state transition sees it: sender
// recovered, gas price resolved against the block's base fee. Messages that
// do not come from a signed transaction (eth_call, system calls) are built
// directly.
type Message struct {
	// Type is the EIP-2718 type of the transaction the message came from.
	// A message with Type 3 (or BlobGasFeeCap set) is checked as a blob
	// transaction, one with Type 4 (or AuthList set) as a set-code one.
	Type  uint8
	From  types.Address
	To    *types.Address // nil: contract creation
	Nonce uint64
	Value uint256.Int

	GasLimit uint64
	// GasPrice is the price the sender pays per gas: the effective price
	// min(GasFeeCap, GasTipCap+baseFee) from London.
	GasPrice  uint256.Int
	GasFeeCap uint256.Int
	GasTipCap uint256.Int

	Data       []byte
	AccessList types.AccessList

	BlobHashes    []types.Hash
	BlobGasFeeCap *uint256.Int // nil unless a blob transaction

	AuthList []types.SetCodeAuthorization

	// SkipNonceChecks skips the nonce and EIP-3607 sender checks, and with
	// zero fee caps the base fee check (eth_call style simulation).
	SkipNonceChecks bool
}

// TransactionToMessage converts a transaction whose sender is already known
// into a Message. With a non-nil baseFee (London and later) the gas price
// is the effective price min(feeCap, tip+baseFee); otherwise it is the
// transaction's gas price.
func TransactionToMessage(tx *types.Transaction, sender types.Address, baseFee *uint256.Int) *Message {
	msg := &Message{
		Type:       tx.Type(),
		From:       sender,
		To:         tx.To(),
		Nonce:      tx.Nonce(),
		Value:      tx.Value(),
		GasLimit:   tx.GasLimit(),
		GasPrice:   tx.GasPrice(),
		GasFeeCap:  tx.GasFeeCap(),
		GasTipCap:  tx.GasTipCap(),
		Data:       tx.Data(),
		AccessList: tx.AccessList(),
		BlobHashes: tx.BlobHashes(),
		AuthList:   tx.AuthList(),
	}
	if tx.Type() == txTypeBlob {
		c := tx.BlobGasFeeCap()
		msg.BlobGasFeeCap = &c
	}
	if baseFee != nil {
		msg.GasPrice = txEffectiveGasPrice(&msg.GasFeeCap, &msg.GasTipCap, baseFee)
	}
	return msg
}

// txEffectiveGasPrice returns min(feeCap, tip+baseFee) (EIP-1559).
func txEffectiveGasPrice(feeCap, tip, baseFee *uint256.Int) uint256.Int {
	var p uint256.Int
	if _, overflow := p.AddOverflow(tip, baseFee); overflow || p.Gt(feeCap) {
		return *feeCap
	}
	return p
}

// GasPool tracks the gas still available to the transactions of a block.
type GasPool uint64

// AddGas returns gas to the pool (saturating at 2^64-1).
func (gp *GasPool) AddGas(amount uint64) *GasPool {
	if uint64(*gp) > math.MaxUint64-amount {
		*gp = math.MaxUint64
	} else {
		*gp += GasPool(amount)
	}
	return gp
}

// SubGas takes gas from the pool, failing with ErrGasLimitReached when the
// pool holds less.
func (gp *GasPool) SubGas(amount uint64) error {
	if uint64(*gp) < amount {
		return fmt.Errorf("%w: have %d, want %d", ErrGasLimitReached, uint64(*gp), amount)
	}
	*gp -= GasPool(amount)
	return nil
}

// Gas returns the gas left in the pool.
func (gp *GasPool) Gas() uint64 { return uint64(*gp) }

// ExecutionResult is the outcome of a valid transaction.
type ExecutionResult struct {
	// UsedGas is the gas the sender pays for: after refunds, and at least
	// the EIP-7623 floor from Prague.
	UsedGas uint64
	// RefundedGas is the refund granted (capped by EIP-3529's quotient).
	RefundedGas uint64
	// Err is the VM error that ended execution (ErrExecutionReverted,
	// ErrOutOfGas, ...), nil on success. The transaction is still valid
	// and included.
	Err        error
	ReturnData []byte
	// ContractAddress is the address a creation transaction deployed to
	// (set even when the creation failed), nil for calls.
	ContractAddress *types.Address
	// BlobGasUsed is the EIP-4844 blob gas of the transaction.
	BlobGasUsed uint64
}

// Failed reports whether execution ended with a VM error.
func (r *ExecutionResult) Failed() bool { return r.Err != nil }

// Revert returns the revert data when execution ended with REVERT.
func (r *ExecutionResult) Revert() []byte {
	if r.Err != ErrExecutionReverted {
		return nil
	}
	return r.ReturnData
}
