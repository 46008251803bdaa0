package types

import (
	"hash"
	"sync"

	"golang.org/x/crypto/sha3"
)

// keccakState is the subset of x/crypto's sponge we use: Read squeezes the
// digest without the copy that Sum makes.
type keccakState interface {
	hash.Hash
	Read([]byte) (int, error)
}

var keccakPool = sync.Pool{New: func() any { return sha3.NewLegacyKeccak256().(keccakState) }}

// Keccak256 returns the Keccak-256 digest (Ethereum's, not SHA3-256) of the
// concatenation of data.
func Keccak256(data ...[]byte) Hash {
	d := keccakPool.Get().(keccakState)
	d.Reset()
	for _, b := range data {
		d.Write(b)
	}
	var h Hash
	d.Read(h[:])
	keccakPool.Put(d)
	return h
}
