package evm

import (
	"hash"

	"github.com/holiman/uint256"
	"golang.org/x/crypto/sha3"
)

// Memory instructions. The interpreter has already grown memory to cover
// every byte these touch, so offsets here fit in 64 bits.

func opMload(pc *uint64, e *EVM, f *frame) error {
	v := f.stack.peek()
	off := v.Uint64()
	v.SetBytes32(f.mem.store[off : off+32])
	return nil
}

func opMstore(pc *uint64, e *EVM, f *frame) error {
	off, val := f.stack.popPtr(), f.stack.popPtr()
	f.mem.set32(off.Uint64(), val)
	return nil
}

func opMstore8(pc *uint64, e *EVM, f *frame) error {
	off, val := f.stack.popPtr(), f.stack.popPtr()
	f.mem.store[off.Uint64()] = byte(val.Uint64())
	return nil
}

func opMsize(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(uint64(f.mem.len()))
	return nil
}

// opMcopy (EIP-5656) copies within memory; the regions may overlap.
func opMcopy(pc *uint64, e *EVM, f *frame) error {
	dst, src, size := f.stack.popPtr(), f.stack.popPtr(), f.stack.popPtr()
	if n := size.Uint64(); n > 0 {
		d, s := dst.Uint64(), src.Uint64()
		copy(f.mem.store[d:d+n], f.mem.store[s:s+n])
	}
	return nil
}

func opKeccak256(pc *uint64, e *EVM, f *frame) error {
	off, size := f.stack.popPtr(), f.stack.peek()
	if e.hasher == nil {
		e.hasher = sha3.NewLegacyKeccak256().(keccakState)
	}
	e.hasher.Reset()
	e.hasher.Write(f.mem.view(off.Uint64(), size.Uint64()))
	e.hasher.Read(e.hashBuf[:])
	size.SetBytes32(e.hashBuf[:])
	return nil
}

// keccakState is x/crypto's Keccak sponge; Read squeezes the digest
// without the allocation Sum makes.
type keccakState interface {
	hash.Hash
	Read([]byte) (int, error)
}

// Memory sizes: the end of the region an instruction touches (0 when the
// region is empty, whatever its offset).

// memEnd returns offset+size, or overflow when it does not fit in 64 bits.
func memEnd(offset, size *uint256.Int) (uint64, bool) {
	if size.IsZero() {
		return 0, false
	}
	if !size.IsUint64() || !offset.IsUint64() {
		return 0, true
	}
	end := offset.Uint64() + size.Uint64()
	return end, end < offset.Uint64()
}

func memEndFixed(offset *uint256.Int, size uint64) (uint64, bool) {
	if !offset.IsUint64() {
		return 0, true
	}
	end := offset.Uint64() + size
	return end, end < offset.Uint64()
}

func memMload(s *stack) (uint64, bool)     { return memEndFixed(s.back(0), 32) }
func memMstore(s *stack) (uint64, bool)    { return memEndFixed(s.back(0), 32) }
func memMstore8(s *stack) (uint64, bool)   { return memEndFixed(s.back(0), 1) }
func memKeccak256(s *stack) (uint64, bool) { return memEnd(s.back(0), s.back(1)) }
func memReturn(s *stack) (uint64, bool)    { return memEnd(s.back(0), s.back(1)) }
func memCopy(s *stack) (uint64, bool)      { return memEnd(s.back(0), s.back(2)) }
func memExtCodeCopy(s *stack) (uint64, bool) {
	return memEnd(s.back(1), s.back(3))
}
func memLog(s *stack) (uint64, bool)    { return memEnd(s.back(0), s.back(1)) }
func memCreate(s *stack) (uint64, bool) { return memEnd(s.back(1), s.back(2)) }

func memMcopy(s *stack) (uint64, bool) {
	a, overflow := memEnd(s.back(0), s.back(2))
	if overflow {
		return 0, true
	}
	b, overflow := memEnd(s.back(1), s.back(2))
	if overflow {
		return 0, true
	}
	return max(a, b), false
}

// memCall covers CALL and CALLCODE (args at 3,4; return area at 5,6).
func memCall(s *stack) (uint64, bool) {
	a, overflow := memEnd(s.back(3), s.back(4))
	if overflow {
		return 0, true
	}
	b, overflow := memEnd(s.back(5), s.back(6))
	if overflow {
		return 0, true
	}
	return max(a, b), false
}

// memStaticCall covers DELEGATECALL and STATICCALL (no value operand).
func memStaticCall(s *stack) (uint64, bool) {
	a, overflow := memEnd(s.back(2), s.back(3))
	if overflow {
		return 0, true
	}
	b, overflow := memEnd(s.back(4), s.back(5))
	if overflow {
		return 0, true
	}
	return max(a, b), false
}
