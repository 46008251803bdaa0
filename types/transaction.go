package types

import (
	"errors"
	"sync/atomic"

	"github.com/holiman/uint256"
)

// Transaction types (the first byte of a typed transaction's encoding).
const (
	LegacyTxType     = 0x00
	AccessListTxType = 0x01 // EIP-2930
	DynamicFeeTxType = 0x02 // EIP-1559
	BlobTxType       = 0x03 // EIP-4844
	SetCodeTxType    = 0x04 // EIP-7702
)

// Errors returned when decoding or checking transactions.
var (
	ErrTxTypeNotSupported = errors.New("transaction type not supported")
	ErrTxTooShort         = errors.New("typed transaction too short")
	ErrInvalidSig         = errors.New("invalid transaction v, r, s values")
	ErrInvalidChainID     = errors.New("invalid chain id for signer")
	ErrTxCreateNotAllowed = errors.New("transaction type does not allow contract creation (empty to)")
)

// TxData holds the fields of a transaction of any type. Fields a type does
// not have are ignored when it is encoded:
//
//	type 0 (legacy): Nonce GasPrice Gas To Value Data V R S, and ChainID for
//	  EIP-155 signing (0 = unprotected; derived from V when decoding)
//	type 1 (EIP-2930): ChainID Nonce GasPrice Gas To Value Data AccessList V R S
//	type 2 (EIP-1559): ChainID Nonce GasTipCap GasFeeCap Gas To Value Data AccessList V R S
//	type 3 (EIP-4844): type 2 fields plus BlobFeeCap BlobHashes
//	type 4 (EIP-7702): type 2 fields plus AuthList
//
// For typed transactions V is the y-parity (0 or 1).
type TxData struct {
	Type       uint8
	ChainID    uint256.Int
	Nonce      uint64
	GasPrice   uint256.Int
	GasTipCap  uint256.Int
	GasFeeCap  uint256.Int
	Gas        uint64
	To         *Address // nil: contract creation
	Value      uint256.Int
	Data       []byte
	AccessList AccessList
	BlobFeeCap uint256.Int
	BlobHashes []Hash
	AuthList   []SetCodeAuthorization
	V, R, S    uint256.Int
}

// Transaction is an immutable signed (or unsigned) transaction. It is safe
// for concurrent use: its hash and sender are computed once and cached.
// Slices it returns (Data, AccessList, ...) must not be modified.
type Transaction struct {
	inner TxData
	enc   []byte // canonical encoding when decoded from bytes (owned, immutable)

	hash   atomic.Pointer[Hash]
	sender atomic.Pointer[senderEntry]
}

type senderEntry struct {
	chainID uint64
	from    Address
}

// NewTx returns a transaction with the given fields. The slices in d are
// retained, not copied; do not modify them afterwards. For a signed legacy
// transaction the chain id is derived from V.
func NewTx(d *TxData) *Transaction {
	tx := &Transaction{inner: *d}
	if tx.inner.Type == LegacyTxType && !tx.inner.V.IsZero() {
		tx.inner.ChainID = legacyChainID(&tx.inner.V)
	}
	return tx
}

// legacyChainID derives the EIP-155 chain id from a legacy V value (0 for
// an unprotected transaction).
func legacyChainID(v *uint256.Int) uint256.Int {
	var c uint256.Int
	if v.LtUint64(35) {
		return c
	}
	c.SubUint64(v, 35)
	c.Rsh(&c, 1)
	return c
}

// Fields returns a copy of the transaction's fields (slices shared).
func (tx *Transaction) Fields() TxData { return tx.inner }

// Type returns the transaction type (0 to 4).
func (tx *Transaction) Type() uint8 { return tx.inner.Type }

// ChainID returns the chain id: the field of a typed transaction, or the one
// derived from V for a legacy one (0 when it is not EIP-155 protected).
func (tx *Transaction) ChainID() uint256.Int { return tx.inner.ChainID }

// Protected reports whether the signature commits to a chain id (always
// for typed transactions; for legacy ones when V is not 27 or 28).
func (tx *Transaction) Protected() bool {
	if tx.inner.Type != LegacyTxType {
		return true
	}
	v := &tx.inner.V
	return !(v.IsUint64() && (v.Uint64() == 27 || v.Uint64() == 28))
}

// Nonce returns the sender's nonce this transaction uses.
func (tx *Transaction) Nonce() uint64 { return tx.inner.Nonce }

// GasLimit returns the gas limit.
func (tx *Transaction) GasLimit() uint64 { return tx.inner.Gas }

// To returns the recipient, or nil for a contract creation.
// The result must not be modified.
func (tx *Transaction) To() *Address { return tx.inner.To }

// IsCreate reports whether the transaction creates a contract.
func (tx *Transaction) IsCreate() bool { return tx.inner.To == nil }

// Value returns the wei transferred.
func (tx *Transaction) Value() uint256.Int { return tx.inner.Value }

// Data returns the call data or init code. It must not be modified.
func (tx *Transaction) Data() []byte { return tx.inner.Data }

// GasPrice returns the gas price of a legacy or EIP-2930 transaction, and
// the fee cap of later types.
func (tx *Transaction) GasPrice() uint256.Int {
	if tx.inner.Type <= AccessListTxType {
		return tx.inner.GasPrice
	}
	return tx.inner.GasFeeCap
}

// GasTipCap returns the max priority fee per gas (the gas price for legacy
// and EIP-2930 transactions).
func (tx *Transaction) GasTipCap() uint256.Int {
	if tx.inner.Type <= AccessListTxType {
		return tx.inner.GasPrice
	}
	return tx.inner.GasTipCap
}

// GasFeeCap returns the max fee per gas (the gas price for legacy and
// EIP-2930 transactions).
func (tx *Transaction) GasFeeCap() uint256.Int {
	if tx.inner.Type <= AccessListTxType {
		return tx.inner.GasPrice
	}
	return tx.inner.GasFeeCap
}

// AccessList returns the EIP-2930 access list (nil for legacy). It must not
// be modified.
func (tx *Transaction) AccessList() AccessList {
	if tx.inner.Type == LegacyTxType {
		return nil
	}
	return tx.inner.AccessList
}

// BlobHashes returns the versioned blob hashes of a blob transaction.
func (tx *Transaction) BlobHashes() []Hash {
	if tx.inner.Type != BlobTxType {
		return nil
	}
	return tx.inner.BlobHashes
}

// BlobGasFeeCap returns the max fee per blob gas of a blob transaction.
func (tx *Transaction) BlobGasFeeCap() uint256.Int {
	if tx.inner.Type != BlobTxType {
		return uint256.Int{}
	}
	return tx.inner.BlobFeeCap
}

// BlobGasPerBlob is the blob gas one blob uses (EIP-4844).
const BlobGasPerBlob = 1 << 17

// BlobGas returns the blob gas the transaction uses.
func (tx *Transaction) BlobGas() uint64 {
	return uint64(len(tx.BlobHashes())) * BlobGasPerBlob
}

// AuthList returns the EIP-7702 authorization list. It must not be modified.
func (tx *Transaction) AuthList() []SetCodeAuthorization {
	if tx.inner.Type != SetCodeTxType {
		return nil
	}
	return tx.inner.AuthList
}

// RawSignatureValues returns V, R and S as encoded (V is the y-parity for
// typed transactions, 27/28 or chainID*2+35/36 for legacy ones).
func (tx *Transaction) RawSignatureValues() (v, r, s uint256.Int) {
	return tx.inner.V, tx.inner.R, tx.inner.S
}

// EffectiveGasPrice returns the price per gas the sender pays under a base
// fee: min(fee cap, tip cap + base fee) (EIP-1559), or the gas price when
// baseFee is nil (before London). It does not check fee cap >= base fee.
func (tx *Transaction) EffectiveGasPrice(baseFee *uint256.Int) uint256.Int {
	feeCap := tx.GasFeeCap()
	if baseFee == nil {
		return feeCap
	}
	tip := tx.GasTipCap()
	var p uint256.Int
	if _, overflow := p.AddOverflow(&tip, baseFee); overflow || p.Gt(&feeCap) {
		return feeCap
	}
	return p
}
