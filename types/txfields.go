package types

import "github.com/holiman/uint256"

// AccessTuple is one entry of an EIP-2930 access list.
type AccessTuple struct {
	Address     Address
	StorageKeys []Hash
}

// AccessList is an EIP-2930 access list.
type AccessList []AccessTuple

// StorageKeyCount returns the total number of storage keys in the list.
func (al AccessList) StorageKeyCount() int {
	n := 0
	for _, t := range al {
		n += len(t.StorageKeys)
	}
	return n
}

// SetCodeAuthorization is one entry of an EIP-7702 authorization list: the
// authority (recovered from the signature) delegates its code to Address.
type SetCodeAuthorization struct {
	ChainID uint256.Int
	Address Address
	Nonce   uint64
	V       uint8 // y-parity, 0 or 1
	R       uint256.Int
	S       uint256.Int
}

// Log is an event emitted by a contract. Only Address, Topics and Data are
// consensus fields; the rest locate the log in its block.
type Log struct {
	Address Address
	Topics  []Hash
	Data    []byte

	BlockNumber uint64
	TxHash      Hash
	TxIndex     uint
	BlockHash   Hash
	Index       uint
}
