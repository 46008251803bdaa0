package evm

import "fmt"

// OpCode is an EVM instruction byte.
type OpCode byte

// Instruction bytes, Frontier to Prague (no EOF).
const (
	STOP       OpCode = 0x00
	ADD        OpCode = 0x01
	MUL        OpCode = 0x02
	SUB        OpCode = 0x03
	DIV        OpCode = 0x04
	SDIV       OpCode = 0x05
	MOD        OpCode = 0x06
	SMOD       OpCode = 0x07
	ADDMOD     OpCode = 0x08
	MULMOD     OpCode = 0x09
	EXP        OpCode = 0x0a
	SIGNEXTEND OpCode = 0x0b

	LT     OpCode = 0x10
	GT     OpCode = 0x11
	SLT    OpCode = 0x12
	SGT    OpCode = 0x13
	EQ     OpCode = 0x14
	ISZERO OpCode = 0x15
	AND    OpCode = 0x16
	OR     OpCode = 0x17
	XOR    OpCode = 0x18
	NOT    OpCode = 0x19
	BYTE   OpCode = 0x1a
	SHL    OpCode = 0x1b
	SHR    OpCode = 0x1c
	SAR    OpCode = 0x1d

	KECCAK256 OpCode = 0x20

	ADDRESS        OpCode = 0x30
	BALANCE        OpCode = 0x31
	ORIGIN         OpCode = 0x32
	CALLER         OpCode = 0x33
	CALLVALUE      OpCode = 0x34
	CALLDATALOAD   OpCode = 0x35
	CALLDATASIZE   OpCode = 0x36
	CALLDATACOPY   OpCode = 0x37
	CODESIZE       OpCode = 0x38
	CODECOPY       OpCode = 0x39
	GASPRICE       OpCode = 0x3a
	EXTCODESIZE    OpCode = 0x3b
	EXTCODECOPY    OpCode = 0x3c
	RETURNDATASIZE OpCode = 0x3d
	RETURNDATACOPY OpCode = 0x3e
	EXTCODEHASH    OpCode = 0x3f

	BLOCKHASH   OpCode = 0x40
	COINBASE    OpCode = 0x41
	TIMESTAMP   OpCode = 0x42
	NUMBER      OpCode = 0x43
	DIFFICULTY  OpCode = 0x44 // PREVRANDAO from the merge (EIP-4399)
	PREVRANDAO  OpCode = 0x44
	GASLIMIT    OpCode = 0x45
	CHAINID     OpCode = 0x46
	SELFBALANCE OpCode = 0x47
	BASEFEE     OpCode = 0x48
	BLOBHASH    OpCode = 0x49
	BLOBBASEFEE OpCode = 0x4a

	POP      OpCode = 0x50
	MLOAD    OpCode = 0x51
	MSTORE   OpCode = 0x52
	MSTORE8  OpCode = 0x53
	SLOAD    OpCode = 0x54
	SSTORE   OpCode = 0x55
	JUMP     OpCode = 0x56
	JUMPI    OpCode = 0x57
	PC       OpCode = 0x58
	MSIZE    OpCode = 0x59
	GAS      OpCode = 0x5a
	JUMPDEST OpCode = 0x5b
	TLOAD    OpCode = 0x5c
	TSTORE   OpCode = 0x5d
	MCOPY    OpCode = 0x5e
	PUSH0    OpCode = 0x5f
	PUSH1    OpCode = 0x60
	PUSH32   OpCode = 0x7f
	DUP1     OpCode = 0x80
	DUP16    OpCode = 0x8f
	SWAP1    OpCode = 0x90
	SWAP16   OpCode = 0x9f
	LOG0     OpCode = 0xa0
	LOG4     OpCode = 0xa4

	CREATE       OpCode = 0xf0
	CALL         OpCode = 0xf1
	CALLCODE     OpCode = 0xf2
	RETURN       OpCode = 0xf3
	DELEGATECALL OpCode = 0xf4
	CREATE2      OpCode = 0xf5
	STATICCALL   OpCode = 0xfa
	REVERT       OpCode = 0xfd
	INVALID      OpCode = 0xfe
	SELFDESTRUCT OpCode = 0xff
)

// opInfo is the fork-independent description of an instruction: the one
// table that the interpreter's instruction sets, the tracer (opcode names)
// and code analysis (immediate sizes) all read.
type opInfo struct {
	name      string
	immediate uint8 // bytes of immediate data following the opcode (PUSHn)
	pops      uint8 // stack items consumed
	pushes    uint8 // stack items produced
}

// opInfos is filled by variable initialisation, which Go runs before any
// init function, so the instruction sets built in init can read it.
var opInfos = buildOpInfos()

func buildOpInfos() (opInfos [256]opInfo) {
	def := func(op OpCode, name string, pops, pushes uint8) {
		opInfos[op] = opInfo{name: name, pops: pops, pushes: pushes}
	}
	def(STOP, "STOP", 0, 0)
	def(ADD, "ADD", 2, 1)
	def(MUL, "MUL", 2, 1)
	def(SUB, "SUB", 2, 1)
	def(DIV, "DIV", 2, 1)
	def(SDIV, "SDIV", 2, 1)
	def(MOD, "MOD", 2, 1)
	def(SMOD, "SMOD", 2, 1)
	def(ADDMOD, "ADDMOD", 3, 1)
	def(MULMOD, "MULMOD", 3, 1)
	def(EXP, "EXP", 2, 1)
	def(SIGNEXTEND, "SIGNEXTEND", 2, 1)
	def(LT, "LT", 2, 1)
	def(GT, "GT", 2, 1)
	def(SLT, "SLT", 2, 1)
	def(SGT, "SGT", 2, 1)
	def(EQ, "EQ", 2, 1)
	def(ISZERO, "ISZERO", 1, 1)
	def(AND, "AND", 2, 1)
	def(OR, "OR", 2, 1)
	def(XOR, "XOR", 2, 1)
	def(NOT, "NOT", 1, 1)
	def(BYTE, "BYTE", 2, 1)
	def(SHL, "SHL", 2, 1)
	def(SHR, "SHR", 2, 1)
	def(SAR, "SAR", 2, 1)
	def(KECCAK256, "KECCAK256", 2, 1)
	def(ADDRESS, "ADDRESS", 0, 1)
	def(BALANCE, "BALANCE", 1, 1)
	def(ORIGIN, "ORIGIN", 0, 1)
	def(CALLER, "CALLER", 0, 1)
	def(CALLVALUE, "CALLVALUE", 0, 1)
	def(CALLDATALOAD, "CALLDATALOAD", 1, 1)
	def(CALLDATASIZE, "CALLDATASIZE", 0, 1)
	def(CALLDATACOPY, "CALLDATACOPY", 3, 0)
	def(CODESIZE, "CODESIZE", 0, 1)
	def(CODECOPY, "CODECOPY", 3, 0)
	def(GASPRICE, "GASPRICE", 0, 1)
	def(EXTCODESIZE, "EXTCODESIZE", 1, 1)
	def(EXTCODECOPY, "EXTCODECOPY", 4, 0)
	def(RETURNDATASIZE, "RETURNDATASIZE", 0, 1)
	def(RETURNDATACOPY, "RETURNDATACOPY", 3, 0)
	def(EXTCODEHASH, "EXTCODEHASH", 1, 1)
	def(BLOCKHASH, "BLOCKHASH", 1, 1)
	def(COINBASE, "COINBASE", 0, 1)
	def(TIMESTAMP, "TIMESTAMP", 0, 1)
	def(NUMBER, "NUMBER", 0, 1)
	def(DIFFICULTY, "DIFFICULTY", 0, 1)
	def(GASLIMIT, "GASLIMIT", 0, 1)
	def(CHAINID, "CHAINID", 0, 1)
	def(SELFBALANCE, "SELFBALANCE", 0, 1)
	def(BASEFEE, "BASEFEE", 0, 1)
	def(BLOBHASH, "BLOBHASH", 1, 1)
	def(BLOBBASEFEE, "BLOBBASEFEE", 0, 1)
	def(POP, "POP", 1, 0)
	def(MLOAD, "MLOAD", 1, 1)
	def(MSTORE, "MSTORE", 2, 0)
	def(MSTORE8, "MSTORE8", 2, 0)
	def(SLOAD, "SLOAD", 1, 1)
	def(SSTORE, "SSTORE", 2, 0)
	def(JUMP, "JUMP", 1, 0)
	def(JUMPI, "JUMPI", 2, 0)
	def(PC, "PC", 0, 1)
	def(MSIZE, "MSIZE", 0, 1)
	def(GAS, "GAS", 0, 1)
	def(JUMPDEST, "JUMPDEST", 0, 0)
	def(TLOAD, "TLOAD", 1, 1)
	def(TSTORE, "TSTORE", 2, 0)
	def(MCOPY, "MCOPY", 3, 0)
	def(PUSH0, "PUSH0", 0, 1)
	for i := 0; i < 32; i++ {
		op := PUSH1 + OpCode(i)
		opInfos[op] = opInfo{name: fmt.Sprintf("PUSH%d", i+1), immediate: uint8(i + 1), pushes: 1}
	}
	for i := 0; i < 16; i++ {
		def(DUP1+OpCode(i), fmt.Sprintf("DUP%d", i+1), uint8(i+1), uint8(i+2))
		def(SWAP1+OpCode(i), fmt.Sprintf("SWAP%d", i+1), uint8(i+2), uint8(i+2))
	}
	for i := 0; i <= 4; i++ {
		def(LOG0+OpCode(i), fmt.Sprintf("LOG%d", i), uint8(i+2), 0)
	}
	def(CREATE, "CREATE", 3, 1)
	def(CALL, "CALL", 7, 1)
	def(CALLCODE, "CALLCODE", 7, 1)
	def(RETURN, "RETURN", 2, 0)
	def(DELEGATECALL, "DELEGATECALL", 6, 1)
	def(CREATE2, "CREATE2", 4, 1)
	def(STATICCALL, "STATICCALL", 6, 1)
	def(REVERT, "REVERT", 2, 0)
	def(INVALID, "INVALID", 0, 0)
	def(SELFDESTRUCT, "SELFDESTRUCT", 1, 0)

	// Bytes that later or abandoned EIPs (EOF, CLZ, SLOTNUM) name but no
	// fork here defines: only their names, so that the "invalid opcode"
	// errors and trace lines read as go-ethereum's do.
	for op, name := range map[OpCode]string{
		0x1e: "CLZ", 0x4b: "SLOTNUM",
		0xd0: "DATALOAD", 0xd1: "DATALOADN", 0xd2: "DATASIZE", 0xd3: "DATACOPY",
		0xe0: "RJUMP", 0xe1: "RJUMPI", 0xe2: "RJUMPV", 0xe3: "CALLF", 0xe4: "RETF",
		0xe5: "JUMPF", 0xe6: "DUPN", 0xe7: "SWAPN", 0xe8: "EXCHANGE",
		0xec: "EOFCREATE", 0xee: "RETURNCONTRACT", 0xf7: "RETURNDATALOAD",
		0xf8: "EXTCALL", 0xf9: "EXTDELEGATECALL", 0xfb: "EXTSTATICCALL",
	} {
		opInfos[op] = opInfo{name: name}
	}
	return opInfos
}

// String returns the instruction's mnemonic, or go-ethereum's wording for a
// byte that no fork defines.
func (op OpCode) String() string {
	if n := opInfos[op].name; n != "" {
		return n
	}
	return fmt.Sprintf("opcode %#x not defined", byte(op))
}

// ImmediateSize returns the number of immediate bytes after op (n for PUSHn).
func (op OpCode) ImmediateSize() int { return int(opInfos[op].immediate) }

// IsPush reports whether op is PUSH1..PUSH32.
func (op OpCode) IsPush() bool { return op >= PUSH1 && op <= PUSH32 }
