package evm

import (
	"fmt"
	"math"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Refund quotients: the refund is capped at gasUsed/2 before London and
// gasUsed/5 from London (EIP-3529).
const (
	txRefundQuotient        = 2
	txRefundQuotientEIP3529 = 5
)

// txCosts holds what validation computed and execution reuses.
type txCosts struct {
	intrinsic uint64
	floor     uint64      // EIP-7623 floor; 0 before Prague
	gasCost   uint256.Int // GasLimit * GasPrice, bought up front
	blobFee   uint256.Int // blob gas * blob base fee, burned
	blobGas   uint64
}

// ApplyMessage executes msg against e's state. It returns an error only
// when the transaction is invalid, in which case neither the state nor gp
// has been modified; otherwise the result describes the execution,
// including a VM failure (revert, out of gas) in ExecutionResult.Err.
//
// It validates (nonce, EIP-3607 sender, EIP-1559 fees, EIP-4844 blobs,
// EIP-7702 authorizations, balance, block gas, intrinsic gas, EIP-7623
// floor, EIP-3860 initcode size), buys gas, warms the access list
// (EIP-2929/2930/3651), applies EIP-7702 authorizations, runs the call or
// creation, refunds (EIP-3529), applies the EIP-7623 floor, returns unused
// gas to the sender and the pool, and pays the coinbase its tip.
//
// ApplyMessage sets e's TxContext from msg. It does not call Finalise.
func ApplyMessage(e *EVM, msg *Message, gp *GasPool) (*ExecutionResult, error) {
	var c txCosts
	if err := txValidate(e, msg, gp, &c); err != nil {
		return nil, err
	}
	return txExecute(e, msg, gp, &c), nil
}

// txIsBlob and txIsSetCode say which type-specific rules msg is checked by.
func txIsBlob(msg *Message) bool    { return msg.Type == txTypeBlob || msg.BlobGasFeeCap != nil }
func txIsSetCode(msg *Message) bool { return msg.Type == txTypeSetCode || msg.AuthList != nil }

// txValidate performs every validity check, reading but never writing
// state, and fills c.
func txValidate(e *EVM, msg *Message, gp *GasPool, c *txCosts) error {
	st := e.StateDB
	rules := e.rules

	if err := CheckTxType(msg.Type, rules); err != nil {
		return err
	}
	isBlob, isSetCode := txIsBlob(msg), txIsSetCode(msg)
	if isBlob && !rules.IsCancun {
		return &txTypeError{txType: txTypeBlob, fork: rules.Fork}
	}
	if isSetCode && !rules.IsPrague {
		return &txTypeError{txType: txTypeSetCode, fork: rules.Fork}
	}

	if !msg.SkipNonceChecks {
		// Nonce, including EIP-2681's cap at 2^64-1.
		stNonce := st.GetNonce(msg.From)
		switch {
		case stNonce < msg.Nonce:
			return fmt.Errorf("%w: address %v, tx: %d state: %d", ErrNonceTooHigh, msg.From, msg.Nonce, stNonce)
		case stNonce > msg.Nonce:
			return fmt.Errorf("%w: address %v, tx: %d state: %d", ErrNonceTooLow, msg.From, msg.Nonce, stNonce)
		case stNonce == math.MaxUint64:
			return fmt.Errorf("%w: address %v, nonce: %d", ErrNonceMax, msg.From, stNonce)
		}
		// EIP-3607: only accounts without code (or, EIP-7702, with a
		// delegation designator) may send transactions.
		if h := st.GetCodeHash(msg.From); h != types.EmptyCodeHash && h != (types.Hash{}) {
			if _, delegated := ParseDelegation(st.GetCode(msg.From)); !delegated {
				return fmt.Errorf("%w: address %v, codehash: %v", ErrSenderNoEOA, msg.From, h)
			}
		}
	}

	// EIP-1559 fee caps.
	if rules.IsLondon {
		if msg.GasTipCap.Gt(&msg.GasFeeCap) {
			return fmt.Errorf("%w: address %v, maxPriorityFeePerGas: %v, maxFeePerGas: %v", ErrTipAboveFeeCap, msg.From, &msg.GasTipCap, &msg.GasFeeCap)
		}
		simulated := msg.SkipNonceChecks && msg.GasFeeCap.IsZero() && msg.GasTipCap.IsZero()
		if bf := e.Context.BaseFee; bf != nil && !simulated && msg.GasFeeCap.Lt(bf) {
			return fmt.Errorf("%w: address %v, maxFeePerGas: %v, baseFee: %v", ErrFeeCapTooLow, msg.From, &msg.GasFeeCap, bf)
		}
	}

	// EIP-4844 blob transactions.
	var blobBaseFee *uint256.Int
	if isBlob {
		if msg.To == nil {
			return ErrBlobTxCreate
		}
		if len(msg.BlobHashes) == 0 {
			return ErrMissingBlobHashes
		}
		for i, h := range msg.BlobHashes {
			if h[0] != BlobHashVersionKZG {
				return fmt.Errorf("%w: blob %d has version %#x", ErrBlobVersionNotSupported, i, h[0])
			}
		}
		if maxBlobs := forks.BlobScheduleFor(rules.Fork).Max; uint64(len(msg.BlobHashes)) > maxBlobs {
			return fmt.Errorf("%w: %d blobs, max %d", ErrTooManyBlobs, len(msg.BlobHashes), maxBlobs)
		}
		blobBaseFee = e.Context.BlobBaseFee
		if blobBaseFee == nil {
			blobBaseFee = BlobBaseFee(0, rules.Fork)
		}
		feeCap := msg.BlobGasFeeCap
		if feeCap == nil {
			feeCap = new(uint256.Int)
		}
		if feeCap.Lt(blobBaseFee) {
			return fmt.Errorf("%w: address %v, maxFeePerBlobGas: %v, blobBaseFee: %v", ErrBlobFeeCapTooLow, msg.From, feeCap, blobBaseFee)
		}
		c.blobGas = uint64(len(msg.BlobHashes)) * GasPerBlob
	}

	// EIP-7702 set-code transactions.
	if isSetCode {
		if msg.To == nil {
			return ErrSetCodeTxCreate
		}
		if len(msg.AuthList) == 0 {
			return ErrEmptyAuthList
		}
	}

	// Balance: the sender must cover the maximum it could pay.
	var gasLimit, want, part uint256.Int
	gasLimit.SetUint64(msg.GasLimit)
	if _, overflow := c.gasCost.MulOverflow(&gasLimit, &msg.GasPrice); overflow {
		return fmt.Errorf("%w: address %v", ErrGasPriceProductOverflow, msg.From)
	}
	want.Set(&c.gasCost)
	if rules.IsLondon && msg.GasFeeCap.Gt(&msg.GasPrice) {
		if _, overflow := want.MulOverflow(&gasLimit, &msg.GasFeeCap); overflow {
			return fmt.Errorf("%w: address %v", ErrGasPriceProductOverflow, msg.From)
		}
	}
	overflow := false
	if _, o := want.AddOverflow(&want, &msg.Value); o {
		overflow = true
	}
	if isBlob {
		part.SetUint64(c.blobGas)
		if _, o := part.MulOverflow(&part, msg.BlobGasFeeCap); o {
			overflow = true
		}
		if _, o := want.AddOverflow(&want, &part); o {
			overflow = true
		}
		c.blobFee.SetUint64(c.blobGas)
		c.blobFee.Mul(&c.blobFee, blobBaseFee) // <= blobGas*blobFeeCap
	}
	if bal := st.GetBalance(msg.From); overflow || bal.Lt(&want) {
		return fmt.Errorf("%w: address %v have %v want %v", ErrInsufficientFunds, msg.From, &bal, &want)
	}

	// Block gas.
	if gp.Gas() < msg.GasLimit {
		return fmt.Errorf("%w: have %d, want %d", ErrGasLimitReached, gp.Gas(), msg.GasLimit)
	}

	// Intrinsic gas and, from Prague, the EIP-7623 floor.
	isCreate := msg.To == nil
	var err error
	c.intrinsic, err = IntrinsicGas(msg.Data, msg.AccessList, uint64(len(msg.AuthList)), isCreate, rules)
	if err != nil {
		return err
	}
	if msg.GasLimit < c.intrinsic {
		return fmt.Errorf("%w: have %d, want %d", ErrIntrinsicGas, msg.GasLimit, c.intrinsic)
	}
	if rules.IsPrague {
		if c.floor, err = FloorDataGas(msg.Data); err != nil {
			return err
		}
		if msg.GasLimit < c.floor {
			return fmt.Errorf("%w: have %d, want %d", ErrFloorDataGas, msg.GasLimit, c.floor)
		}
	}

	// EIP-3860: initcode size of a creation transaction.
	if isCreate && rules.IsShanghai && len(msg.Data) > MaxInitCodeSize {
		return fmt.Errorf("%w: code size %d limit %d", ErrTxInitCodeSizeExceeded, len(msg.Data), MaxInitCodeSize)
	}
	return nil
}

// txExecute performs the state transition of a validated message.
func txExecute(e *EVM, msg *Message, gp *GasPool, c *txCosts) *ExecutionResult {
	st := e.StateDB
	rules := e.rules

	*gp -= GasPool(msg.GasLimit)
	st.SubBalance(msg.From, &c.gasCost)
	if !c.blobFee.IsZero() {
		st.SubBalance(msg.From, &c.blobFee)
	}

	e.SetTxContext(TxContext{Origin: msg.From, GasPrice: msg.GasPrice, BlobHashes: msg.BlobHashes})
	st.Prepare(rules, msg.From, e.Context.Coinbase, msg.To, e.Precompiles().Addresses(), msg.AccessList)

	gas := msg.GasLimit - c.intrinsic
	res := &ExecutionResult{BlobGasUsed: c.blobGas}
	if msg.To == nil {
		// Create derives the address from, and increments, the sender's
		// current nonce.
		addr := CreateAddress(msg.From, st.GetNonce(msg.From))
		res.ReturnData, _, gas, res.Err = e.Create(msg.From, msg.Data, gas, &msg.Value)
		res.ContractAddress = &addr
	} else {
		st.SetNonce(msg.From, st.GetNonce(msg.From)+1)
		if len(msg.AuthList) > 0 {
			for i := range msg.AuthList {
				txApplyAuthorization(e, &msg.AuthList[i]) // invalid entries are skipped
			}
		}
		if rules.IsPrague {
			// The destination's delegate is warm from the start (EIP-7702);
			// authorizations above may just have set it.
			if target, ok := ParseDelegation(st.GetCode(*msg.To)); ok {
				st.AddAddressToAccessList(target)
			}
		}
		res.ReturnData, gas, res.Err = e.Call(msg.From, *msg.To, msg.Data, gas, &msg.Value)
	}

	// Refund (EIP-3529 lowered the cap from London) and EIP-7623's floor.
	used := msg.GasLimit - gas
	quotient := uint64(txRefundQuotient)
	if rules.IsLondon {
		quotient = txRefundQuotientEIP3529
	}
	refund := min(st.GetRefund(), used/quotient)
	used -= refund
	res.RefundedGas = refund
	if used < c.floor {
		used = c.floor
	}
	res.UsedGas = used

	// Unused gas goes back to the sender at the price paid, and to the pool.
	remaining := msg.GasLimit - used
	var v uint256.Int
	v.SetUint64(remaining)
	v.Mul(&v, &msg.GasPrice)
	st.AddBalance(msg.From, &v)
	gp.AddGas(remaining)

	// The coinbase gets the tip (everything before London; the base fee
	// is burned after). The credit happens even when zero: it touches the
	// coinbase, as Ethereum does.
	tip := msg.GasPrice
	if rules.IsLondon && e.Context.BaseFee != nil {
		if tip.Lt(e.Context.BaseFee) {
			tip.Clear()
		} else {
			tip.Sub(&tip, e.Context.BaseFee)
		}
	}
	v.SetUint64(used)
	v.Mul(&v, &tip)
	st.AddBalance(e.Context.Coinbase, &v)
	return res
}
