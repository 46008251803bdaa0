package evm

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// StateDB is everything the interpreter and transaction processing need from
// the world state. Sequential execution plugs in statedb.StateDB; the
// parallel executor plugs in a per-transaction view over multi-version
// memory that records reads and buffers writes. The interpreter never
// learns which.
//
// Balances are returned as values so that an implementation never hands out
// a pointer into its own storage.
type StateDB interface {
	CreateAccount(types.Address)
	// CreateContract marks addr as created by a contract-creation in this
	// transaction (EIP-6780 uses this to allow SELFDESTRUCT to delete it).
	CreateContract(types.Address)

	SubBalance(types.Address, *uint256.Int)
	AddBalance(types.Address, *uint256.Int)
	GetBalance(types.Address) uint256.Int

	GetNonce(types.Address) uint64
	SetNonce(types.Address, uint64)

	GetCodeHash(types.Address) types.Hash
	GetCode(types.Address) []byte
	SetCode(types.Address, []byte)
	GetCodeSize(types.Address) int

	AddRefund(uint64)
	SubRefund(uint64)
	GetRefund() uint64

	// GetCommittedState returns the value of a slot at the start of the
	// current transaction (EIP-2200/EIP-1283 original value).
	GetCommittedState(types.Address, types.Hash) types.Hash
	GetState(types.Address, types.Hash) types.Hash
	SetState(types.Address, types.Hash, types.Hash)
	// GetStorageRoot returns the account's storage root as committed before
	// this transaction; EIP-7610 uses it to detect non-empty storage.
	GetStorageRoot(types.Address) types.Hash

	GetTransientState(addr types.Address, key types.Hash) types.Hash
	SetTransientState(addr types.Address, key, value types.Hash)

	// SelfDestruct marks the account destroyed and zeroes its balance.
	SelfDestruct(types.Address)
	HasSelfDestructed(types.Address) bool
	// SelfDestruct6780 destroys the account only when it was created in
	// the current transaction (EIP-6780); otherwise it does nothing.
	SelfDestruct6780(types.Address)

	// Exist reports whether the account exists (possibly empty).
	Exist(types.Address) bool
	// Empty reports whether the account is absent or empty by EIP-161
	// (zero nonce, zero balance, no code).
	Empty(types.Address) bool

	AddressInAccessList(addr types.Address) bool
	SlotInAccessList(addr types.Address, slot types.Hash) (addressOk bool, slotOk bool)
	AddAddressToAccessList(addr types.Address)
	AddSlotToAccessList(addr types.Address, slot types.Hash)

	// Prepare resets the per-transaction state (access list, transient
	// storage, refund) and warms the addresses the rules of the fork make
	// warm: sender, destination, precompiles, the access list, and from
	// Shanghai the coinbase (EIP-3651).
	Prepare(rules forks.Rules, sender, coinbase types.Address, dest *types.Address, precompiles []types.Address, txAccesses types.AccessList)

	Snapshot() int
	RevertToSnapshot(int)

	AddLog(*types.Log)
}
