package evm

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// fakeAccount and fakeState are a small map-based StateDB for tests, with a
// copy-on-snapshot journal (slow, but obviously correct).
type fakeAccount struct {
	balance   uint256.Int
	nonce     uint64
	code      []byte
	storage   map[types.Hash]types.Hash
	committed map[types.Hash]types.Hash
	destroyed bool
	created   bool // created in this transaction
}

type fakeWorld struct {
	accounts  map[types.Address]*fakeAccount
	transient map[[2][32]byte]types.Hash
	refund    uint64
	logs      []*types.Log
	alAddr    map[types.Address]bool
	alSlot    map[[2][32]byte]bool
}

type fakeState struct {
	fakeWorld
	snaps []fakeWorld
}

func newFakeState() *fakeState {
	return &fakeState{fakeWorld: fakeWorld{
		accounts:  map[types.Address]*fakeAccount{},
		transient: map[[2][32]byte]types.Hash{},
		alAddr:    map[types.Address]bool{},
		alSlot:    map[[2][32]byte]bool{},
	}}
}

func (w *fakeWorld) clone() fakeWorld {
	c := fakeWorld{
		accounts:  make(map[types.Address]*fakeAccount, len(w.accounts)),
		transient: make(map[[2][32]byte]types.Hash, len(w.transient)),
		refund:    w.refund,
		logs:      append([]*types.Log(nil), w.logs...),
		alAddr:    make(map[types.Address]bool, len(w.alAddr)),
		alSlot:    make(map[[2][32]byte]bool, len(w.alSlot)),
	}
	for a, acc := range w.accounts {
		n := *acc
		n.code = append([]byte(nil), acc.code...)
		n.storage = make(map[types.Hash]types.Hash, len(acc.storage))
		for k, v := range acc.storage {
			n.storage[k] = v
		}
		c.accounts[a] = &n
	}
	for k, v := range w.transient {
		c.transient[k] = v
	}
	for k, v := range w.alAddr {
		c.alAddr[k] = v
	}
	for k, v := range w.alSlot {
		c.alSlot[k] = v
	}
	return c
}

func (s *fakeState) get(a types.Address) *fakeAccount {
	acc := s.accounts[a]
	if acc == nil {
		acc = &fakeAccount{storage: map[types.Hash]types.Hash{}, committed: map[types.Hash]types.Hash{}}
		s.accounts[a] = acc
	}
	return acc
}

// setStorage sets a slot's current and committed value (test setup).
func (s *fakeState) setStorage(a types.Address, k, v types.Hash) {
	acc := s.get(a)
	acc.storage[k] = v
	acc.committed[k] = v
}

func (s *fakeState) CreateAccount(a types.Address) {
	old := s.accounts[a]
	acc := s.get(a)
	if old != nil {
		bal := old.balance
		*acc = fakeAccount{balance: bal, storage: map[types.Hash]types.Hash{}, committed: old.committed}
	}
}
func (s *fakeState) CreateContract(a types.Address) { s.get(a).created = true }
func (s *fakeState) SubBalance(a types.Address, v *uint256.Int) {
	b := s.get(a)
	b.balance.Sub(&b.balance, v)
}
func (s *fakeState) AddBalance(a types.Address, v *uint256.Int) {
	b := s.get(a)
	b.balance.Add(&b.balance, v)
}
func (s *fakeState) GetBalance(a types.Address) uint256.Int {
	if acc := s.accounts[a]; acc != nil {
		return acc.balance
	}
	return uint256.Int{}
}
func (s *fakeState) GetNonce(a types.Address) uint64 {
	if acc := s.accounts[a]; acc != nil {
		return acc.nonce
	}
	return 0
}
func (s *fakeState) SetNonce(a types.Address, n uint64) { s.get(a).nonce = n }
func (s *fakeState) GetCodeHash(a types.Address) types.Hash {
	acc := s.accounts[a]
	if acc == nil {
		return types.Hash{}
	}
	return types.Keccak256(acc.code)
}
func (s *fakeState) GetCode(a types.Address) []byte {
	if acc := s.accounts[a]; acc != nil {
		return acc.code
	}
	return nil
}
func (s *fakeState) SetCode(a types.Address, c []byte) { s.get(a).code = c }
func (s *fakeState) GetCodeSize(a types.Address) int   { return len(s.GetCode(a)) }
func (s *fakeState) AddRefund(g uint64)                { s.refund += g }
func (s *fakeState) SubRefund(g uint64) {
	if g > s.refund {
		panic("refund below zero")
	}
	s.refund -= g
}
func (s *fakeState) GetRefund() uint64 { return s.refund }
func (s *fakeState) GetCommittedState(a types.Address, k types.Hash) types.Hash {
	if acc := s.accounts[a]; acc != nil {
		return acc.committed[k]
	}
	return types.Hash{}
}
func (s *fakeState) GetState(a types.Address, k types.Hash) types.Hash {
	if acc := s.accounts[a]; acc != nil {
		return acc.storage[k]
	}
	return types.Hash{}
}
func (s *fakeState) SetState(a types.Address, k, v types.Hash) { s.get(a).storage[k] = v }
func (s *fakeState) GetStorageRoot(a types.Address) types.Hash {
	acc := s.accounts[a]
	if acc == nil {
		return types.Hash{}
	}
	for _, v := range acc.committed {
		if !v.IsZero() {
			return types.Hash{1} // any non-empty root
		}
	}
	return types.EmptyRootHash
}
func (s *fakeState) GetTransientState(a types.Address, k types.Hash) types.Hash {
	return s.transient[[2][32]byte{types.BytesToHash(a[:]), k}]
}
func (s *fakeState) SetTransientState(a types.Address, k, v types.Hash) {
	s.transient[[2][32]byte{types.BytesToHash(a[:]), k}] = v
}
func (s *fakeState) SelfDestruct(a types.Address) {
	acc := s.get(a)
	acc.destroyed = true
	acc.balance.Clear()
}
func (s *fakeState) HasSelfDestructed(a types.Address) bool {
	acc := s.accounts[a]
	return acc != nil && acc.destroyed
}
func (s *fakeState) SelfDestruct6780(a types.Address) {
	if acc := s.accounts[a]; acc != nil && acc.created {
		s.SelfDestruct(a)
	}
}
func (s *fakeState) Exist(a types.Address) bool { return s.accounts[a] != nil }
func (s *fakeState) Empty(a types.Address) bool {
	acc := s.accounts[a]
	return acc == nil || (acc.nonce == 0 && acc.balance.IsZero() && len(acc.code) == 0)
}
func (s *fakeState) AddressInAccessList(a types.Address) bool { return s.alAddr[a] }
func (s *fakeState) SlotInAccessList(a types.Address, k types.Hash) (bool, bool) {
	return s.alAddr[a], s.alSlot[[2][32]byte{types.BytesToHash(a[:]), k}]
}
func (s *fakeState) AddAddressToAccessList(a types.Address) { s.alAddr[a] = true }
func (s *fakeState) AddSlotToAccessList(a types.Address, k types.Hash) {
	s.alAddr[a] = true
	s.alSlot[[2][32]byte{types.BytesToHash(a[:]), k}] = true
}
func (s *fakeState) Prepare(rules forks.Rules, sender, coinbase types.Address, dest *types.Address, precompiles []types.Address, txAccesses types.AccessList) {
	s.alAddr = map[types.Address]bool{}
	s.alSlot = map[[2][32]byte]bool{}
	s.transient = map[[2][32]byte]types.Hash{}
	s.refund = 0
	if !rules.IsBerlin {
		return
	}
	s.AddAddressToAccessList(sender)
	if dest != nil {
		s.AddAddressToAccessList(*dest)
	}
	for _, p := range precompiles {
		s.AddAddressToAccessList(p)
	}
	if rules.IsShanghai {
		s.AddAddressToAccessList(coinbase)
	}
	for _, t := range txAccesses {
		s.AddAddressToAccessList(t.Address)
		for _, k := range t.StorageKeys {
			s.AddSlotToAccessList(t.Address, k)
		}
	}
}
func (s *fakeState) Snapshot() int {
	s.snaps = append(s.snaps, s.fakeWorld.clone())
	return len(s.snaps) - 1
}
func (s *fakeState) RevertToSnapshot(id int) {
	s.fakeWorld = s.snaps[id]
	s.snaps = s.snaps[:id]
}
func (s *fakeState) AddLog(l *types.Log) { s.logs = append(s.logs, l) }

var _ StateDB = (*fakeState)(nil)
