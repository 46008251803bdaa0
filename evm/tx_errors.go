package evm

import "errors"

// Errors that make a transaction invalid. ApplyMessage returns them wrapped
// with details (test with errors.Is); a block that contains such a
// transaction is invalid, and a state test expecting an exception reverts to
// the pre-state. They are distinct from the VM errors in errors.go, which
// end a valid transaction's execution (revert, out of gas) and still charge
// gas.
var (
	ErrNonceTooLow  = errors.New("nonce too low")
	ErrNonceTooHigh = errors.New("nonce too high")
	// ErrNonceMax is EIP-2681: a sender whose nonce is 2^64-1 can send no
	// more transactions.
	ErrNonceMax = errors.New("nonce has max value")
	// ErrSenderNoEOA is EIP-3607: the sender has code that is not an
	// EIP-7702 delegation.
	ErrSenderNoEOA = errors.New("sender not an eoa")
	// ErrInsufficientFunds: the balance does not cover gasLimit*maxFee +
	// value (+ blobGas*maxFeePerBlobGas).
	ErrInsufficientFunds = errors.New("insufficient funds for gas * price + value")
	// ErrGasPriceProductOverflow: gasLimit * gas price does not fit in 256 bits.
	ErrGasPriceProductOverflow = errors.New("gas limit * gas price overflows 256 bits")
	ErrIntrinsicGas            = errors.New("intrinsic gas too low")
	// ErrFloorDataGas is EIP-7623: the gas limit is below the calldata floor.
	ErrFloorDataGas = errors.New("insufficient gas for floor data gas cost")
	// ErrGasLimitReached: the transaction's gas limit exceeds what is left
	// of the block's gas limit.
	ErrGasLimitReached = errors.New("gas limit reached")
	// ErrFeeCapTooLow is EIP-1559: max fee per gas below the block base fee.
	ErrFeeCapTooLow = errors.New("max fee per gas less than block base fee")
	// ErrTipAboveFeeCap is EIP-1559: max priority fee above max fee.
	ErrTipAboveFeeCap = errors.New("max priority fee per gas higher than max fee per gas")
	// ErrTxInitCodeSizeExceeded is EIP-3860 for creation transactions.
	ErrTxInitCodeSizeExceeded = errors.New("transaction initcode size exceeds limit")
	// ErrTxTypeNotSupported: the transaction type is not active at the fork.
	ErrTxTypeNotSupported = errors.New("transaction type not supported")

	// EIP-4844 blob transactions.
	ErrBlobTxCreate            = errors.New("blob transaction of type create")
	ErrMissingBlobHashes       = errors.New("blob transaction missing blob hashes")
	ErrBlobVersionNotSupported = errors.New("blob versioned hash version not supported")
	ErrTooManyBlobs            = errors.New("blob transaction has too many blobs")
	ErrBlobFeeCapTooLow        = errors.New("max fee per blob gas less than block blob gas fee")

	// EIP-7702 set-code transactions.
	ErrSetCodeTxCreate = errors.New("set code transaction of type create")
	ErrEmptyAuthList   = errors.New("set code transaction with empty auth list")
)

// txExceptionNames maps each invalid-transaction error to the
// TransactionException name Ethereum's test fixtures use in expectException.
var txExceptionNames = []struct {
	err  error
	name string
}{
	{ErrNonceTooLow, "NONCE_MISMATCH_TOO_LOW"},
	{ErrNonceTooHigh, "NONCE_MISMATCH_TOO_HIGH"},
	{ErrNonceMax, "NONCE_IS_MAX"},
	{ErrSenderNoEOA, "SENDER_NOT_EOA"},
	{ErrInsufficientFunds, "INSUFFICIENT_ACCOUNT_FUNDS"},
	{ErrGasPriceProductOverflow, "GASLIMIT_PRICE_PRODUCT_OVERFLOW"},
	{ErrIntrinsicGas, "INTRINSIC_GAS_TOO_LOW"},
	{ErrFloorDataGas, "INTRINSIC_GAS_TOO_LOW"},
	{ErrGasLimitReached, "GAS_ALLOWANCE_EXCEEDED"},
	{ErrFeeCapTooLow, "INSUFFICIENT_MAX_FEE_PER_GAS"},
	{ErrTipAboveFeeCap, "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"},
	{ErrTxInitCodeSizeExceeded, "INITCODE_SIZE_EXCEEDED"},
	{ErrTxTypeNotSupported, "TYPE_NOT_SUPPORTED"},
	{ErrBlobTxCreate, "TYPE_3_TX_CONTRACT_CREATION"},
	{ErrMissingBlobHashes, "TYPE_3_TX_ZERO_BLOBS"},
	{ErrBlobVersionNotSupported, "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH"},
	{ErrTooManyBlobs, "TYPE_3_TX_BLOB_COUNT_EXCEEDED"},
	{ErrBlobFeeCapTooLow, "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"},
	{ErrSetCodeTxCreate, "TYPE_4_TX_CONTRACT_CREATION"},
	{ErrEmptyAuthList, "TYPE_4_EMPTY_AUTHORIZATION_LIST"},
}

// TxExceptionName returns the fixtures' name for an invalid-transaction
// error, such as "TransactionException.INTRINSIC_GAS_TOO_LOW", or "" when
// err is not one of this file's errors. A type-3 transaction before Cancun
// is reported as TYPE_3_TX_PRE_FORK.
func TxExceptionName(err error) string {
	if err == nil {
		return ""
	}
	var te *txTypeError
	if errors.As(err, &te) && te.txType == txTypeBlob {
		return "TransactionException.TYPE_3_TX_PRE_FORK"
	}
	for _, e := range txExceptionNames {
		if errors.Is(err, e.err) {
			return "TransactionException." + e.name
		}
	}
	return ""
}
