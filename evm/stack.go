package evm

import (
	"sync"

	"github.com/holiman/uint256"
)

// StackLimit is the maximum number of items on the EVM stack.
const StackLimit = 1024

// stack is a call frame's operand stack. It has a fixed capacity so that
// pushes never allocate; the interpreter checks heights against the
// instruction's metadata before each opcode, so the operations below do
// not check bounds themselves.
type stack struct {
	data [StackLimit]uint256.Int
	n    int
}

var stackPool = sync.Pool{New: func() any { return new(stack) }}

func getStack() *stack { return stackPool.Get().(*stack) }

func putStack(s *stack) {
	s.n = 0
	stackPool.Put(s)
}

func (s *stack) len() int { return s.n }

// push appends a copy of v.
func (s *stack) push(v *uint256.Int) {
	s.data[s.n] = *v
	s.n++
}

// pushN returns a pointer to a fresh slot on top, for the caller to fill.
func (s *stack) pushSlot() *uint256.Int {
	s.n++
	return &s.data[s.n-1]
}

// pop removes and returns the top item.
func (s *stack) pop() uint256.Int {
	s.n--
	return s.data[s.n]
}

// popPtr removes the top item and returns a pointer to it, valid until the
// next push.
func (s *stack) popPtr() *uint256.Int {
	s.n--
	return &s.data[s.n]
}

// peek returns the top item in place.
func (s *stack) peek() *uint256.Int { return &s.data[s.n-1] }

// back returns the item n places below the top (0 is the top).
func (s *stack) back(n int) *uint256.Int { return &s.data[s.n-1-n] }

func (s *stack) swap(n int) {
	s.data[s.n-1], s.data[s.n-1-n] = s.data[s.n-1-n], s.data[s.n-1]
}

func (s *stack) dup(n int) {
	s.data[s.n] = s.data[s.n-n]
	s.n++
}

// items returns the live part of the stack, bottom first.
func (s *stack) items() []uint256.Int { return s.data[:s.n] }
