package evm

import "github.com/holiman/uint256"

// Tracer receives the interpreter's steps. The EIP-3155 JSON tracer in this
// package implements it; a nil Tracer costs one branch per opcode.
type Tracer interface {
	// OnStep is called before each opcode runs. stack is bottom-first and
	// only valid during the call; memory likewise.
	OnStep(pc uint64, op byte, gas, cost uint64, memory []byte, stack []uint256.Int, returnData []byte, depth int, refund uint64, err error)
	// OnExit is called when a call frame (depth >= 1) ends.
	OnExit(depth int, output []byte, gasUsed uint64, err error)
}
