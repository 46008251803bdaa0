package evm

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/plasmaxpl/engine/types"
)

// System contracts and the caller of system calls.
var (
	// SystemAddress calls the system contracts (EIP-4788 and later).
	SystemAddress = types.HexToAddress("0xfffffffffffffffffffffffffffffffffffffffe")
	// BeaconRootsAddress is EIP-4788's beacon block root contract.
	BeaconRootsAddress = types.HexToAddress("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02")
	// HistoryStorageAddress is EIP-2935's block hash history contract.
	HistoryStorageAddress = types.HexToAddress("0x0000F90827F1C53a10cb7A02335B175320002935")
	// WithdrawalQueueAddress is EIP-7002's withdrawal request contract.
	WithdrawalQueueAddress = types.HexToAddress("0x00000961Ef480Eb55e80D19ad83579A64c007002")
	// ConsolidationQueueAddress is EIP-7251's consolidation request contract.
	ConsolidationQueueAddress = types.HexToAddress("0x0000BBdDc7CE488642fb579F8B00f3a590007251")
	// MainnetDepositContract is the EIP-6110 deposit contract on mainnet.
	MainnetDepositContract = types.HexToAddress("0x00000000219ab540356cBB839Cbe05303d7705Fa")

	// depositEventTopic is keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)").
	depositEventTopic = types.HexToHash("0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5")
)

// SystemCallGas is the gas a system call gets; it does not count against
// the block's gas limit and costs no fee.
const SystemCallGas uint64 = 30_000_000

// EIP-7685 request types.
const (
	DepositRequestType       byte = 0x00 // EIP-6110
	WithdrawalRequestType    byte = 0x01 // EIP-7002
	ConsolidationRequestType byte = 0x02 // EIP-7251
)

// blockSystemCall calls addr from SystemAddress with input, outside any
// transaction: no nonce, no fee, no gas accounting, no tracing. State
// changes are finalised (the caller, touched but empty, is removed).
func blockSystemCall(e *EVM, state BlockState, addr types.Address, input []byte) ([]byte, error) {
	tracer := e.Config.Tracer
	e.Config.Tracer = nil
	defer func() { e.Config.Tracer = tracer }()

	e.SetTxContext(TxContext{Origin: SystemAddress})
	state.AddAddressToAccessList(addr)
	ret, _, err := e.Call(SystemAddress, addr, input, SystemCallGas, nil)
	state.Finalise(true)
	return ret, err
}

// blockCheckedSystemCall is a system call whose failure invalidates the
// block (EIP-7002, EIP-7251): the contract must have code and the call
// must succeed.
func blockCheckedSystemCall(e *EVM, state BlockState, addr types.Address) ([]byte, error) {
	if state.GetCodeSize(addr) == 0 {
		return nil, fmt.Errorf("%w: no code at %v", ErrSystemCall, addr)
	}
	ret, err := blockSystemCall(e, state, addr, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v: %v", ErrSystemCall, addr, err)
	}
	return ret, nil
}

// blockRequests collects the EIP-7685 requests of a Prague block into res:
// EIP-6110 deposits from the deposit contract's logs, then the EIP-7002
// and EIP-7251 queues by system calls.
func blockRequests(e *EVM, state BlockState, cfg BlockConfig, res *BlockResult) error {
	depositContract := cfg.DepositContract
	if depositContract == (types.Address{}) {
		depositContract = MainnetDepositContract
	}
	deposits := []byte{DepositRequestType}
	for _, r := range res.Receipts {
		for _, l := range r.Logs {
			if l.Address != depositContract || len(l.Topics) == 0 || l.Topics[0] != depositEventTopic {
				continue
			}
			var err error
			if deposits, err = AppendDepositRequest(deposits, l.Data); err != nil {
				return err
			}
		}
	}
	withdrawals, err := blockCheckedSystemCall(e, state, WithdrawalQueueAddress)
	if err != nil {
		return err
	}
	consolidations, err := blockCheckedSystemCall(e, state, ConsolidationQueueAddress)
	if err != nil {
		return err
	}

	res.Requests = res.Requests[:0]
	if len(deposits) > 1 {
		res.Requests = append(res.Requests, deposits)
	}
	if len(withdrawals) > 0 {
		res.Requests = append(res.Requests, append([]byte{WithdrawalRequestType}, withdrawals...))
	}
	if len(consolidations) > 0 {
		res.Requests = append(res.Requests, append([]byte{ConsolidationRequestType}, consolidations...))
	}
	h := RequestsHash(res.Requests)
	res.RequestsHash = &h
	return nil
}

// RequestsHash is EIP-7685's commitment: sha256 of the concatenated
// sha256 digests of each request (type byte followed by data). Callers
// leave out request types with no data.
func RequestsHash(requests [][]byte) types.Hash {
	outer := sha256.New()
	for _, r := range requests {
		h := sha256.Sum256(r)
		outer.Write(h[:])
	}
	var out types.Hash
	outer.Sum(out[:0])
	return out
}

// Layout of the ABI-encoded DepositEvent data (EIP-6110): five dynamic
// byte strings whose offsets, lengths and total size are fixed.
const (
	depositDataLen       = 576
	depositPubkeyLen     = 48
	depositCredsLen      = 32
	depositAmountLen     = 8
	depositSignatureLen  = 96
	depositIndexLen      = 8
	DepositRequestLength = depositPubkeyLen + depositCredsLen + depositAmountLen + depositSignatureLen + depositIndexLen // 192
)

var depositLayout = [5]struct{ offset, size uint64 }{
	{160, depositPubkeyLen},
	{256, depositCredsLen},
	{320, depositAmountLen},
	{384, depositSignatureLen},
	{512, depositIndexLen},
}

// AppendDepositRequest appends the 192-byte deposit request (pubkey,
// withdrawal credentials, amount, signature, index) encoded in a
// DepositEvent log's data. Data that does not have the exact layout EIP-6110
// prescribes is an ErrInvalidRequests error (the block is invalid).
func AppendDepositRequest(dst, data []byte) ([]byte, error) {
	if len(data) != depositDataLen {
		return dst, fmt.Errorf("%w: deposit event data of %d bytes, want %d", ErrInvalidRequests, len(data), depositDataLen)
	}
	for i, f := range depositLayout {
		off, ok := blockWord64(data[32*i : 32*i+32])
		if !ok || off != f.offset {
			return dst, fmt.Errorf("%w: deposit event field %d at offset %x, want %d", ErrInvalidRequests, i, data[32*i:32*i+32], f.offset)
		}
		size, ok := blockWord64(data[f.offset : f.offset+32])
		if !ok || size != f.size {
			return dst, fmt.Errorf("%w: deposit event field %d of size %x, want %d", ErrInvalidRequests, i, data[f.offset:f.offset+32], f.size)
		}
	}
	for _, f := range depositLayout {
		dst = append(dst, data[f.offset+32:f.offset+32+f.size]...)
	}
	return dst, nil
}

// blockWord64 reads a 32-byte big-endian ABI word that must fit in 64 bits.
func blockWord64(w []byte) (uint64, bool) {
	for _, b := range w[:24] {
		if b != 0 {
			return 0, false
		}
	}
	return binary.BigEndian.Uint64(w[24:32]), true
}
