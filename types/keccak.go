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

// keccakHasher pairs a sponge with an output buffer that lives on the heap
// with it, so squeezing through the interface does not allocate per call.
type keccakHasher struct {
	st  keccakState
	out Hash
}

var keccakPool = sync.Pool{New: func() any {
	return &keccakHasher{st: sha3.NewLegacyKeccak256().(keccakState)}
}}

// Keccak256 returns the Keccak-256 digest (Ethereum's, not SHA3-256) of the
// concatenation of data.
func Keccak256(data ...[]byte) Hash {
	k := keccakPool.Get().(*keccakHasher)
	k.st.Reset()
	for _, b := range data {
		k.st.Write(b)
	}
	k.st.Read(k.out[:])
	h := k.out
	keccakPool.Put(k)
	return h
}
