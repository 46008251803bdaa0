// Package forks names Ethereum's hard forks and the rule switches each one
// turns on. A fork is the previous fork plus a short list of EIPs: the table
// in this file is the one place that says which EIP arrives when, and every
// other package (interpreter gas tables, precompile sets, transaction
// validation) reads its decisions from Rules.
package forks

import (
	"fmt"
	"strings"
)

// Fork is an Ethereum mainnet hard fork, in activation order.
type Fork int

// Forks from Frontier to Prague. The glacier forks (Muir, Arrow, Gray) only
// move the difficulty bomb and share the rules of the fork before them.
const (
	Frontier Fork = iota
	Homestead
	TangerineWhistle // EIP-150
	SpuriousDragon   // EIP-155, EIP-158/161, EIP-170
	Byzantium
	Constantinople
	Petersburg // "ConstantinopleFix": Constantinople without EIP-1283
	Istanbul
	MuirGlacier
	Berlin
	London
	ArrowGlacier
	GrayGlacier
	Paris // the merge
	Shanghai
	Cancun
	Prague
	numForks
)

var forkNames = [numForks]string{
	"Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople",
	"ConstantinopleFix", "Istanbul", "MuirGlacier", "Berlin", "London",
	"ArrowGlacier", "GrayGlacier", "Paris", "Shanghai", "Cancun", "Prague",
}

// aliases maps other spellings used by test suites and tools to forks.
var aliases = map[string]Fork{
	"tangerinewhistle": TangerineWhistle,
	"spuriousdragon":   SpuriousDragon,
	"petersburg":       Petersburg,
	"merge":            Paris,
}

// String returns the name Ethereum's test fixtures use for the fork.
func (f Fork) String() string {
	if f < 0 || f >= numForks {
		return fmt.Sprintf("Fork(%d)", int(f))
	}
	return forkNames[f]
}

// Latest is the newest fork this engine implements.
const Latest = Prague

// All returns every fork in activation order.
func All() []Fork {
	out := make([]Fork, numForks)
	for i := range out {
		out[i] = Fork(i)
	}
	return out
}

// Parse returns the fork with the given name (fixture names such as "EIP150"
// and "ConstantinopleFix" as well as "TangerineWhistle", "Petersburg",
// "Merge"); matching ignores case.
func Parse(name string) (Fork, error) {
	for i, n := range forkNames {
		if strings.EqualFold(n, name) {
			return Fork(i), nil
		}
	}
	if f, ok := aliases[strings.ToLower(name)]; ok {
		return f, nil
	}
	return 0, fmt.Errorf("unknown fork %q", name)
}

// Rules is the set of rule switches in force for one fork. Code asks
// "is EIP-N active?" through these fields, never by comparing forks.
type Rules struct {
	Fork Fork

	IsHomestead bool // EIP-2, EIP-7: DELEGATECALL, contract-creation failure rules
	IsEIP150    bool // 63/64 call gas, repriced IO opcodes
	IsEIP155    bool // replay-protected signatures
	IsEIP158    bool // EIP-161 empty-account clearing, EIP-160 EXP repricing
	IsEIP170    bool // contract code size limit 24576
	IsByzantium bool // REVERT, RETURNDATA*, STATICCALL, receipts status, precompiles 5-8

	IsConstantinople bool // SHL/SHR/SAR, CREATE2, EXTCODEHASH
	IsEIP1283        bool // net-metered SSTORE in Constantinople only (removed by Petersburg)
	IsPetersburg     bool
	IsIstanbul       bool // EIP-1344 CHAINID, EIP-1884, EIP-2028, EIP-2200, EIP-152 blake2f, EIP-1108
	IsBerlin         bool // EIP-2929 access lists, EIP-2930 tx type 1, EIP-2565
	IsLondon         bool // EIP-1559, EIP-3198 BASEFEE, EIP-3529 refunds, EIP-3541 0xEF prefix
	IsMerge          bool // EIP-3675, EIP-4399 PREVRANDAO
	IsShanghai       bool // EIP-3651 warm coinbase, EIP-3855 PUSH0, EIP-3860 initcode limit, EIP-4895
	IsCancun         bool // EIP-1153, EIP-4788, EIP-4844, EIP-5656 MCOPY, EIP-6780, EIP-7516
	IsPrague         bool // EIP-2537, EIP-2935, EIP-6110, EIP-7002, EIP-7251, EIP-7623, EIP-7685, EIP-7691, EIP-7702
}

// RulesFor returns the rules in force at fork f.
func RulesFor(f Fork) Rules {
	return Rules{
		Fork:             f,
		IsHomestead:      f >= Homestead,
		IsEIP150:         f >= TangerineWhistle,
		IsEIP155:         f >= SpuriousDragon,
		IsEIP158:         f >= SpuriousDragon,
		IsEIP170:         f >= SpuriousDragon,
		IsByzantium:      f >= Byzantium,
		IsConstantinople: f >= Constantinople,
		IsEIP1283:        f == Constantinople,
		IsPetersburg:     f >= Petersburg,
		IsIstanbul:       f >= Istanbul,
		IsBerlin:         f >= Berlin,
		IsLondon:         f >= London,
		IsMerge:          f >= Paris,
		IsShanghai:       f >= Shanghai,
		IsCancun:         f >= Cancun,
		IsPrague:         f >= Prague,
	}
}

// BlobSchedule holds the EIP-4844 blob parameters of a fork (EIP-7691 raised
// them in Prague).
type BlobSchedule struct {
	Target                uint64 // target blobs per block
	Max                   uint64 // maximum blobs per block
	BaseFeeUpdateFraction uint64
}

// BlobScheduleFor returns the blob schedule of fork f, or the zero value
// before Cancun.
func BlobScheduleFor(f Fork) BlobSchedule {
	switch {
	case f >= Prague:
		return BlobSchedule{Target: 6, Max: 9, BaseFeeUpdateFraction: 5007716}
	case f >= Cancun:
		return BlobSchedule{Target: 3, Max: 6, BaseFeeUpdateFraction: 3338477}
	}
	return BlobSchedule{}
}
