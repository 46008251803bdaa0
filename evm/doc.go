// Package evm is the Ethereum Virtual Machine: the interpreter, its
// per-fork instruction sets and gas rules, message calls and contract
// creation, and (in the tx_*.go and block*.go files) transaction and block
// processing.
//
// Layout, by what the code does:
//
//	opcodes.go              the one opcode table: names, immediates, stack effects
//	jumptable.go            per-fork instruction sets: Frontier plus enableNNNN patches per EIP
//	gas.go                  gas constants and the dynamic gas functions
//	interpreter.go          the run loop (untraced and traced)
//	instructions_*.go       instructions grouped by domain
//	evm.go                  EVM, Call/CallCode/DelegateCall/StaticCall/Create/Create2
//	stack.go, memory.go     machine state, pooled per call frame
//	analysis.go             JUMPDEST analysis and its shared cache
//	tracer_json.go          EIP-3155 JSON lines in go-ethereum's format
//
// State is reached only through the StateDB interface, so the parallel
// executor can put a multi-version view in front of the same interpreter.
//
// The hot path does not allocate per instruction: the stack is a fixed
// array of 1024 words and, like memory, is taken from a pool per call
// frame; frames are reused per depth; KECCAK256 reuses one sponge per EVM.
package evm
