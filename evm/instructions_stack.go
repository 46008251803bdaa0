package evm

// Stack instructions: POP, PUSH0..PUSH32, DUP1..16, SWAP1..16.

func opPop(pc *uint64, e *EVM, f *frame) error {
	f.stack.n--
	return nil
}

// opPush0 (EIP-3855) pushes zero.
func opPush0(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().Clear()
	return nil
}

func opPush1(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.pushSlot()
	*pc++
	if *pc < uint64(len(f.code)) {
		slot.SetUint64(uint64(f.code[*pc]))
	} else {
		slot.Clear()
	}
	return nil
}

// makePush returns PUSHn: n immediate bytes, big-endian, read as zeros
// past the end of the code.
func makePush(n uint64) executeFunc {
	return func(pc *uint64, e *EVM, f *frame) error {
		code := f.code
		start := *pc + 1
		slot := f.stack.pushSlot()
		if end := start + n; end <= uint64(len(code)) {
			slot.SetBytes(code[start:end])
		} else {
			var buf [32]byte
			if start < uint64(len(code)) {
				copy(buf[:n], code[start:])
			}
			slot.SetBytes(buf[:n])
		}
		*pc += n
		return nil
	}
}

func makeDup(n int) executeFunc {
	return func(pc *uint64, e *EVM, f *frame) error {
		f.stack.dup(n)
		return nil
	}
}

func makeSwap(n int) executeFunc {
	return func(pc *uint64, e *EVM, f *frame) error {
		f.stack.swap(n)
		return nil
	}
}
