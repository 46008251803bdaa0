// Package precompile implements Ethereum's precompiled contracts, each
// gated by the fork that introduced it.
package precompile

import (
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Contract is a precompiled contract. The interpreter charges RequiredGas
// before Run; Run's error means the call fails and consumes all gas.
type Contract interface {
	RequiredGas(input []byte) uint64
	Run(input []byte) ([]byte, error)
}

// Set is the precompiles active at one fork, by address.
type Set struct {
	byAddr map[types.Address]Contract
	addrs  []types.Address
}

// Lookup returns the precompile at addr, if any.
func (s *Set) Lookup(addr types.Address) (Contract, bool) {
	c, ok := s.byAddr[addr]
	return c, ok
}

// Addresses returns the active addresses in ascending order (they are warm
// from the start of every transaction under EIP-2929).
func (s *Set) Addresses() []types.Address { return s.addrs }

// ForRules returns the set active under rules. Sets are built once per fork
// and shared; callers must not modify them.
func ForRules(r forks.Rules) *Set { return setFor(r.Fork) }

func setFor(f forks.Fork) *Set {
	// TODO: filled in by the precompile implementations.
	return &Set{byAddr: map[types.Address]Contract{}}
}
