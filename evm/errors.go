package evm

import (
	"errors"
	"fmt"
)

// Errors returned by the interpreter and by Call/Create. Their messages are
// go-ethereum's, so that EIP-3155 traces compare equal line for line.
var (
	ErrOutOfGas                 = errors.New("out of gas")
	ErrCodeStoreOutOfGas        = errors.New("contract creation code storage out of gas")
	ErrDepth                    = errors.New("max call depth exceeded")
	ErrInsufficientBalance      = errors.New("insufficient balance for transfer")
	ErrContractAddressCollision = errors.New("contract address collision")
	ErrExecutionReverted        = errors.New("execution reverted")
	ErrMaxCodeSizeExceeded      = errors.New("max code size exceeded")
	ErrMaxInitCodeSizeExceeded  = errors.New("max initcode size exceeded")
	ErrInvalidJump              = errors.New("invalid jump destination")
	ErrWriteProtection          = errors.New("write protection")
	ErrReturnDataOutOfBounds    = errors.New("return data out of bounds")
	ErrGasUintOverflow          = errors.New("gas uint64 overflow")
	ErrInvalidCode              = errors.New("invalid code: must not begin with 0xef")
	ErrNonceUintOverflow        = errors.New("nonce uint64 overflow")

	// ErrStackUnderflow, ErrStackOverflow and ErrInvalidOpcode are returned
	// wrapped with details; test for them with errors.Is.
	ErrStackUnderflow = errors.New("stack underflow")
	ErrStackOverflow  = errors.New("stack limit reached")
	ErrInvalidOpcode  = errors.New("invalid opcode")

	// errStop ends a frame successfully (STOP, RETURN, SELFDESTRUCT); it
	// never leaves the interpreter.
	errStop = errors.New("stop")
)

func stackUnderflow(have, want int) error {
	return fmt.Errorf("%w (%d <=> %d)", ErrStackUnderflow, have, want)
}

func stackOverflow(have, limit int) error {
	return fmt.Errorf("%w %d (%d)", ErrStackOverflow, have, limit)
}

func invalidOpcode(op OpCode) error {
	return fmt.Errorf("%w: %s", ErrInvalidOpcode, op)
}

var errSstoreSentry = errors.New("not enough gas for reentrancy sentry")

func errInitCodeTooLarge(size uint64) error {
	return fmt.Errorf("%w: size %d", ErrMaxInitCodeSizeExceeded, size)
}
