package evm

import "github.com/plasmaxpl/engine/evm/forks"

// Instruction sets per fork. Frontier is written out in full; every later
// fork is the previous one plus named EIP patches, applied in activation
// order in buildInstructionSets. To find where an EIP changes the EVM,
// grep for its enableNNNN function.

var instructionSets [forks.Latest + 1]instructionSet

func init() {
	buildInstructionSets()
	fillPlainGas()
}

// instructionSetFor returns the shared, read-only table for fork f.
func instructionSetFor(f forks.Fork) *instructionSet {
	if f < 0 || f > forks.Latest {
		f = forks.Latest
	}
	return &instructionSets[f]
}

func buildInstructionSets() {
	var s instructionSet
	frontier(&s)
	for _, step := range []struct {
		fork    forks.Fork
		patches []func(*instructionSet)
	}{
		{forks.Frontier, nil},
		{forks.Homestead, []func(*instructionSet){enable7}},
		{forks.TangerineWhistle, []func(*instructionSet){enable150}},
		{forks.SpuriousDragon, []func(*instructionSet){enable160}},
		{forks.Byzantium, []func(*instructionSet){enable140, enable211, enable214}},
		{forks.Constantinople, []func(*instructionSet){enable145, enable1014, enable1052, enable1283}},
		{forks.Petersburg, []func(*instructionSet){disable1283}},
		{forks.Istanbul, []func(*instructionSet){enable1344, enable1884, enable2200}},
		{forks.MuirGlacier, nil},
		{forks.Berlin, []func(*instructionSet){enable2929}},
		{forks.London, []func(*instructionSet){enable3529, enable3198}},
		{forks.ArrowGlacier, nil},
		{forks.GrayGlacier, nil},
		{forks.Paris, []func(*instructionSet){enable4399}},
		{forks.Shanghai, []func(*instructionSet){enable3855, enable3860}},
		{forks.Cancun, []func(*instructionSet){enable1153, enable4844, enable5656, enable6780, enable7516}},
		{forks.Prague, []func(*instructionSet){enable7702}},
	} {
		for _, p := range step.patches {
			p(&s)
		}
		instructionSets[step.fork] = s
	}
}

// def installs an instruction with its stack bounds from opInfos.
func def(s *instructionSet, op OpCode, exec executeFunc, constantGas uint64) *instruction {
	info := opInfos[op]
	var inline OpCode
	if inlined[op] {
		inline = op
	}
	s[op] = instruction{
		inline:      inline,
		execute:     exec,
		constantGas: constantGas,
		minStack:    int(info.pops),
		maxStack:    StackLimit + int(info.pops) - int(info.pushes),
	}
	return &s[op]
}

func withGas(in *instruction, dyn gasFunc, mem memorySizeFunc) {
	in.dynamicGas, in.memorySize = dyn, mem
}

func undefine(s *instructionSet, op OpCode) {
	s[op] = instruction{execute: opUndefined, maxStack: StackLimit}
}

// frontier fills s with the original instruction set.
func frontier(s *instructionSet) {
	for op := range s {
		undefine(s, OpCode(op))
	}
	def(s, STOP, opStop, 0)
	def(s, ADD, opAdd, GasFastestStep)
	def(s, MUL, opMul, GasFastStep)
	def(s, SUB, opSub, GasFastestStep)
	def(s, DIV, opDiv, GasFastStep)
	def(s, SDIV, opSdiv, GasFastStep)
	def(s, MOD, opMod, GasFastStep)
	def(s, SMOD, opSmod, GasFastStep)
	def(s, ADDMOD, opAddmod, GasMidStep)
	def(s, MULMOD, opMulmod, GasMidStep)
	withGas(def(s, EXP, opExp, 0), makeGasExp(GasExpFrontier), nil) // 10 + per-byte, all dynamic as go-ethereum reports it
	def(s, SIGNEXTEND, opSignExtend, GasFastStep)
	def(s, LT, opLt, GasFastestStep)
	def(s, GT, opGt, GasFastestStep)
	def(s, SLT, opSlt, GasFastestStep)
	def(s, SGT, opSgt, GasFastestStep)
	def(s, EQ, opEq, GasFastestStep)
	def(s, ISZERO, opIszero, GasFastestStep)
	def(s, AND, opAnd, GasFastestStep)
	def(s, OR, opOr, GasFastestStep)
	def(s, XOR, opXor, GasFastestStep)
	def(s, NOT, opNot, GasFastestStep)
	def(s, BYTE, opByte, GasFastestStep)
	withGas(def(s, KECCAK256, opKeccak256, GasKeccak256), gasKeccak256, memKeccak256)

	def(s, ADDRESS, opAddress, GasQuickStep)
	def(s, BALANCE, opBalance, 20)
	def(s, ORIGIN, opOrigin, GasQuickStep)
	def(s, CALLER, opCaller, GasQuickStep)
	def(s, CALLVALUE, opCallValue, GasQuickStep)
	def(s, CALLDATALOAD, opCalldataLoad, GasFastestStep)
	def(s, CALLDATASIZE, opCalldataSize, GasQuickStep)
	withGas(def(s, CALLDATACOPY, opCalldataCopy, GasFastestStep), gasCopy, memCopy)
	def(s, CODESIZE, opCodeSize, GasQuickStep)
	withGas(def(s, CODECOPY, opCodeCopy, GasFastestStep), gasCopy, memCopy)
	def(s, GASPRICE, opGasPrice, GasQuickStep)
	def(s, EXTCODESIZE, opExtCodeSize, 20)
	withGas(def(s, EXTCODECOPY, opExtCodeCopy, 20), gasExtCodeCopy, memExtCodeCopy)

	def(s, BLOCKHASH, opBlockhash, GasExtStep)
	def(s, COINBASE, opCoinbase, GasQuickStep)
	def(s, TIMESTAMP, opTimestamp, GasQuickStep)
	def(s, NUMBER, opNumber, GasQuickStep)
	def(s, DIFFICULTY, opDifficulty, GasQuickStep)
	def(s, GASLIMIT, opGasLimit, GasQuickStep)

	def(s, POP, opPop, GasQuickStep)
	withGas(def(s, MLOAD, opMload, GasFastestStep), gasMemoryOnly, memMload)
	withGas(def(s, MSTORE, opMstore, GasFastestStep), gasMemoryOnly, memMstore)
	withGas(def(s, MSTORE8, opMstore8, GasFastestStep), gasMemoryOnly, memMstore8)
	def(s, SLOAD, opSload, 50)
	withGas(def(s, SSTORE, opSstore, 0), gasSstoreFrontier, nil)
	def(s, JUMP, opJump, GasMidStep)
	def(s, JUMPI, opJumpi, GasSlowStep)
	def(s, PC, opPc, GasQuickStep)
	def(s, MSIZE, opMsize, GasQuickStep)
	def(s, GAS, opGas, GasQuickStep)
	def(s, JUMPDEST, opJumpdest, GasJumpdest)

	def(s, PUSH1, opPush1, GasFastestStep)
	for n := 2; n <= 32; n++ {
		def(s, PUSH1+OpCode(n-1), makePush(uint64(n)), GasFastestStep)
	}
	for n := 1; n <= 16; n++ {
		def(s, DUP1+OpCode(n-1), makeDup(n), GasFastestStep)
		def(s, SWAP1+OpCode(n-1), makeSwap(n), GasFastestStep)
	}
	for n := 0; n <= 4; n++ {
		withGas(def(s, LOG0+OpCode(n), makeLog(n), 0), makeGasLog(uint64(n)), memLog)
	}

	withGas(def(s, CREATE, opCreate, GasCreate), gasCreate, memCreate)
	withGas(def(s, CALL, opCall, 40), makeGasCall(CALL, callPlain), memCall)
	withGas(def(s, CALLCODE, opCallCode, 40), makeGasCall(CALLCODE, callPlain), memCall)
	withGas(def(s, RETURN, opReturn, 0), gasMemoryOnly, memReturn)
	withGas(def(s, SELFDESTRUCT, opSelfdestruct, 0), gasSelfdestructFrontier, nil)
}

// enable7: DELEGATECALL (EIP-7, Homestead).
func enable7(s *instructionSet) {
	withGas(def(s, DELEGATECALL, opDelegateCall, 40), makeGasCall(DELEGATECALL, callPlain), memStaticCall)
}

// enable150 reprices IO-heavy instructions and adds the SELFDESTRUCT
// new-account charge (EIP-150, Tangerine Whistle); the 63/64 call rule
// reads rules.IsEIP150 in callGas and createGas.
func enable150(s *instructionSet) {
	s[BALANCE].constantGas = 400
	s[EXTCODESIZE].constantGas = 700
	s[EXTCODECOPY].constantGas = 700
	s[SLOAD].constantGas = 200
	s[CALL].constantGas = 700
	s[CALLCODE].constantGas = 700
	s[DELEGATECALL].constantGas = 700
	// The 5000 is charged in the dynamic part until Berlin, as
	// go-ethereum's traces report it.
	s[SELFDESTRUCT].dynamicGas = gasSelfdestructEIP150
}

// enable160: EXP costs 50 per exponent byte (EIP-160, Spurious Dragon).
func enable160(s *instructionSet) {
	s[EXP].dynamicGas = makeGasExp(GasExpEIP160)
}

// enable140: REVERT (EIP-140, Byzantium).
func enable140(s *instructionSet) {
	withGas(def(s, REVERT, opRevert, 0), gasMemoryOnly, memReturn)
}

// enable211: RETURNDATASIZE and RETURNDATACOPY (EIP-211, Byzantium).
func enable211(s *instructionSet) {
	def(s, RETURNDATASIZE, opReturnDataSize, GasQuickStep)
	withGas(def(s, RETURNDATACOPY, opReturnDataCopy, GasFastestStep), gasCopy, memCopy)
}

// enable214: STATICCALL (EIP-214, Byzantium).
func enable214(s *instructionSet) {
	withGas(def(s, STATICCALL, opStaticCall, 700), makeGasCall(STATICCALL, callPlain), memStaticCall)
}

// enable145: SHL, SHR, SAR (EIP-145, Constantinople).
func enable145(s *instructionSet) {
	def(s, SHL, opShl, GasFastestStep)
	def(s, SHR, opShr, GasFastestStep)
	def(s, SAR, opSar, GasFastestStep)
}

// enable1014: CREATE2 (EIP-1014, Constantinople).
func enable1014(s *instructionSet) {
	withGas(def(s, CREATE2, opCreate2, GasCreate), gasCreate2, memCreate)
}

// enable1052: EXTCODEHASH (EIP-1052, Constantinople).
func enable1052(s *instructionSet) {
	def(s, EXTCODEHASH, opExtCodeHash, 400)
}

// enable1283: net gas metering for SSTORE (EIP-1283), in Constantinople
// only; disable1283 (Petersburg, EIP-1716) takes it out again.
func enable1283(s *instructionSet)  { s[SSTORE].dynamicGas = gasSstoreEIP1283 }
func disable1283(s *instructionSet) { s[SSTORE].dynamicGas = gasSstoreFrontier }

// enable1344: CHAINID (EIP-1344, Istanbul).
func enable1344(s *instructionSet) {
	def(s, CHAINID, opChainID, GasQuickStep)
}

// enable1884 reprices trie-size-dependent instructions and adds
// SELFBALANCE (EIP-1884, Istanbul).
func enable1884(s *instructionSet) {
	s[SLOAD].constantGas = 800
	s[BALANCE].constantGas = 700
	s[EXTCODEHASH].constantGas = 700
	def(s, SELFBALANCE, opSelfBalance, GasFastStep)
}

// enable2200: SSTORE net metering with the 2300-gas sentry (EIP-2200, Istanbul).
func enable2200(s *instructionSet) { s[SSTORE].dynamicGas = gasSstoreEIP2200 }

// enable2929: cold and warm state access (EIP-2929, Berlin). The warm cost
// is the constant part; the cold surcharge is dynamic.
func enable2929(s *instructionSet) {
	s[SLOAD].constantGas = 0
	s[SLOAD].dynamicGas = gasSloadEIP2929
	s[SSTORE].dynamicGas = gasSstoreEIP2929
	for _, op := range []OpCode{BALANCE, EXTCODESIZE, EXTCODEHASH} {
		s[op].constantGas = GasWarmAccess
		s[op].dynamicGas = gasAccountEIP2929
	}
	s[EXTCODECOPY].constantGas = GasWarmAccess
	s[EXTCODECOPY].dynamicGas = gasExtCodeCopyEIP2929
	for _, op := range []OpCode{CALL, CALLCODE, DELEGATECALL, STATICCALL} {
		s[op].constantGas = GasWarmAccess
		s[op].dynamicGas = makeGasCall(op, callEIP2929)
	}
	s[SELFDESTRUCT].constantGas = GasSelfdestructEIP150
	s[SELFDESTRUCT].dynamicGas = gasSelfdestructEIP2929
}

// enable3529: smaller SSTORE clearing refund, no SELFDESTRUCT refund
// (EIP-3529, London; the refund cap is the transaction processor's).
func enable3529(s *instructionSet) {
	s[SSTORE].dynamicGas = gasSstoreEIP3529
	// selfdestructGas reads rules.IsLondon for the refund.
}

// enable3198: BASEFEE (EIP-3198, London).
func enable3198(s *instructionSet) {
	def(s, BASEFEE, opBaseFee, GasQuickStep)
}

// enable4399: DIFFICULTY becomes PREVRANDAO (EIP-4399, Paris).
func enable4399(s *instructionSet) {
	s[PREVRANDAO].execute = opRandom
}

// enable3855: PUSH0 (EIP-3855, Shanghai).
func enable3855(s *instructionSet) {
	def(s, PUSH0, opPush0, GasQuickStep)
}

// enable3860: initcode size limit and 2 gas per initcode word for CREATE
// and CREATE2 (EIP-3860, Shanghai).
func enable3860(s *instructionSet) {
	s[CREATE].dynamicGas = gasCreateEIP3860
	s[CREATE2].dynamicGas = gasCreate2EIP3860
}

// enable1153: TLOAD and TSTORE (EIP-1153, Cancun).
func enable1153(s *instructionSet) {
	def(s, TLOAD, opTload, GasWarmAccess)
	def(s, TSTORE, opTstore, GasWarmAccess)
}

// enable4844: BLOBHASH (EIP-4844, Cancun).
func enable4844(s *instructionSet) {
	def(s, BLOBHASH, opBlobHash, GasFastestStep)
}

// enable5656: MCOPY (EIP-5656, Cancun).
func enable5656(s *instructionSet) {
	withGas(def(s, MCOPY, opMcopy, GasFastestStep), gasCopy, memMcopy)
}

// enable6780: SELFDESTRUCT only deletes accounts created in the same
// transaction (EIP-6780, Cancun).
func enable6780(s *instructionSet) {
	s[SELFDESTRUCT].execute = opSelfdestruct6780
}

// enable7516: BLOBBASEFEE (EIP-7516, Cancun).
func enable7516(s *instructionSet) {
	def(s, BLOBBASEFEE, opBlobBaseFee, GasQuickStep)
}

// enable7702: calls to an EIP-7702 delegated account also pay for
// accessing the delegate (Prague); Call and friends run the delegate's
// code (resolveCode).
func enable7702(s *instructionSet) {
	for _, op := range []OpCode{CALL, CALLCODE, DELEGATECALL, STATICCALL} {
		s[op].dynamicGas = makeGasCall(op, callEIP7702)
	}
}
