// Package precompile implements Ethereum's precompiled contracts, each
// gated by the fork that introduced it.
//
// Which contract arrives when (the one place that says so is forkTable):
//
//	0x01 ecrecover, 0x02 sha256, 0x03 ripemd160, 0x04 identity  Frontier
//	0x05 modexp (EIP-198; EIP-2565 pricing from Berlin)          Byzantium
//	0x06..0x08 bn254 add, mul, pairing (EIP-196, EIP-197;
//	           EIP-1108 pricing from Istanbul)                   Byzantium
//	0x09 blake2f (EIP-152)                                       Istanbul
//	0x0a KZG point evaluation (EIP-4844)                         Cancun
//	0x0b..0x11 BLS12-381 operations (EIP-2537)                   Prague
//
// Every contract is stateless and safe for concurrent use; the sets are
// built once per fork and shared read-only.
package precompile

import (
	"encoding/binary"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Contract is a precompiled contract. The interpreter charges RequiredGas
// before Run; Run's error means the call fails and consumes all gas.
//
// Guarantees of every contract in this package: neither method panics on
// any input; RequiredGas looks only at what the EIP prices (lengths, a few
// leading bytes) and saturates at MaxUint64 instead of overflowing; Run
// returns a freshly allocated output that the caller owns (it never aliases
// the input, which Run does not retain); Run refuses, with an error, input
// priced above any gas a call could carry, so a direct call on hostile
// input cannot allocate or compute without bound.
type Contract interface {
	RequiredGas(input []byte) uint64
	Run(input []byte) ([]byte, error)
}

// Set is the precompiles active at one fork, by address.
type Set struct {
	// All precompile addresses are zero except for the last byte, so a
	// lookup is a 19-byte zero test and an array index: no hashing.
	byLow [256]Contract
	addrs []types.Address
}

// Lookup returns the precompile at addr, if any.
func (s *Set) Lookup(addr types.Address) (Contract, bool) {
	hi := binary.LittleEndian.Uint64(addr[0:8]) | binary.LittleEndian.Uint64(addr[8:16]) |
		uint64(binary.LittleEndian.Uint16(addr[16:18])) | uint64(addr[18])
	if hi != 0 {
		return nil, false
	}
	c := s.byLow[addr[types.AddressLength-1]]
	return c, c != nil
}

// Addresses returns the active addresses in ascending order (they are warm
// from the start of every transaction under EIP-2929).
func (s *Set) Addresses() []types.Address { return s.addrs }

// ForRules returns the set active under rules. Sets are built once per fork
// and shared; callers must not modify them.
func ForRules(r forks.Rules) *Set { return setFor(r.Fork) }

// Addresses of the precompiled contracts.
var (
	ECRecoverAddress       = lowAddress(0x01)
	SHA256Address          = lowAddress(0x02)
	RIPEMD160Address       = lowAddress(0x03)
	IdentityAddress        = lowAddress(0x04)
	ModExpAddress          = lowAddress(0x05)
	BN254AddAddress        = lowAddress(0x06)
	BN254MulAddress        = lowAddress(0x07)
	BN254PairingAddress    = lowAddress(0x08)
	Blake2FAddress         = lowAddress(0x09)
	PointEvaluationAddress = lowAddress(0x0a)
	BLS12G1AddAddress      = lowAddress(0x0b)
	BLS12G1MSMAddress      = lowAddress(0x0c)
	BLS12G2AddAddress      = lowAddress(0x0d)
	BLS12G2MSMAddress      = lowAddress(0x0e)
	BLS12PairingAddress    = lowAddress(0x0f)
	BLS12MapFpToG1Address  = lowAddress(0x10)
	BLS12MapFp2ToG2Address = lowAddress(0x11)
)

func lowAddress(b byte) types.Address {
	var a types.Address
	a[types.AddressLength-1] = b
	return a
}

// change is one fork's edit to the previous fork's set: contracts added or
// replaced (a repricing is a replacement at the same address).
type change struct {
	fork forks.Fork
	set  map[byte]Contract
}

// forkTable lists, in fork order, what each fork changes. A fork not listed
// has the set of the fork before it.
var forkTable = []change{
	{forks.Frontier, map[byte]Contract{
		0x01: ecrecover{},
		0x02: sha256hash{},
		0x03: ripemd160hash{},
		0x04: identity{},
	}},
	{forks.Byzantium, map[byte]Contract{
		0x05: modExp{eip2565: false},                     // EIP-198
		0x06: bn254Add{gas: 500},                         // EIP-196
		0x07: bn254Mul{gas: 40000},                       // EIP-196
		0x08: bn254Pairing{base: 100000, perPair: 80000}, // EIP-197
	}},
	{forks.Istanbul, map[byte]Contract{
		0x06: bn254Add{gas: 150}, // EIP-1108
		0x07: bn254Mul{gas: 6000},
		0x08: bn254Pairing{base: 45000, perPair: 34000},
		0x09: blake2F{}, // EIP-152
	}},
	{forks.Berlin, map[byte]Contract{
		0x05: modExp{eip2565: true}, // EIP-2565
	}},
	{forks.Cancun, map[byte]Contract{
		0x0a: pointEvaluation{}, // EIP-4844
	}},
	{forks.Prague, map[byte]Contract{ // EIP-2537
		0x0b: blsG1Add{},
		0x0c: blsG1MSM{},
		0x0d: blsG2Add{},
		0x0e: blsG2MSM{},
		0x0f: blsPairing{},
		0x10: blsMapFpToG1{},
		0x11: blsMapFp2ToG2{},
	}},
}

// sets holds one Set per fork, built at package initialisation (the
// contracts are small values; nothing expensive happens here).
var sets = buildSets()

func buildSets() []*Set {
	all := forks.All()
	out := make([]*Set, len(all))
	var cur [256]Contract
	next := 0
	for i, f := range all {
		for next < len(forkTable) && forkTable[next].fork <= f {
			for b, c := range forkTable[next].set {
				cur[b] = c
			}
			next++
		}
		s := &Set{byLow: cur}
		for b, c := range cur {
			if c != nil {
				s.addrs = append(s.addrs, lowAddress(byte(b)))
			}
		}
		out[i] = s
	}
	return out
}

var emptySet = &Set{}

func setFor(f forks.Fork) *Set {
	if f < 0 || int(f) >= len(sets) {
		return emptySet
	}
	return sets[f]
}
