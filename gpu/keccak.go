package gpu

import (
	"errors"
	"fmt"

	"github.com/plasmaxpl/engine/types"
)

// Keccak-256 sponge parameters: a 1088-bit rate, so 136-byte blocks of 17
// little-endian 64-bit words, and the padding 0x01 ... 0x80.
const (
	keccakRate      = 136
	keccakRateWords = keccakRate / 8
)

// defaultBackend is the fastest CPU backend this machine runs.
var defaultBackend = func() BatchHasher {
	b := Backends()
	return b[len(b)-1]
}()

// Backends returns every BatchHasher usable on this machine, Portable first
// and the fastest last (the one Default returns). The SIMD backends are
// absent on other architectures, without CPU support, or with -tags purego.
func Backends() []BatchHasher {
	return append([]BatchHasher{Portable{}}, cpuBackends...)
}

// BackendByName returns the backend of Backends whose Name is name.
func BackendByName(name string) (BatchHasher, error) {
	var names []string
	for _, b := range Backends() {
		if b.Name() == name {
			return b, nil
		}
		names = append(names, b.Name())
	}
	return nil, fmt.Errorf("gpu: no hash backend %q on this machine (have %v)", name, names)
}

// ErrBadBatch reports offsets that do not describe messages of data.
var ErrBadBatch = errors.New("gpu: malformed batch")

// CheckBatch reports whether data, offsets and out form a well-formed batch
// for HashBatch: offsets non-decreasing and within data, and one output per
// message. The SIMD backends write the zero Hash for a message whose bounds
// are out of order or out of range and ignore messages beyond len(out),
// where Portable would panic; callers that build batches from untrusted
// input check them first.
func CheckBatch(data []byte, offsets []uint32, out []types.Hash) error {
	if len(offsets) == 0 {
		if len(out) != 0 {
			return fmt.Errorf("%w: %d outputs for no messages", ErrBadBatch, len(out))
		}
		return nil
	}
	if len(out) != len(offsets)-1 {
		return fmt.Errorf("%w: %d outputs for %d messages", ErrBadBatch, len(out), len(offsets)-1)
	}
	for i := 0; i+1 < len(offsets); i++ {
		if offsets[i] > offsets[i+1] || uint64(offsets[i+1]) > uint64(len(data)) {
			return fmt.Errorf("%w: message %d spans [%d, %d) of %d bytes", ErrBadBatch, i, offsets[i], offsets[i+1], len(data))
		}
	}
	return nil
}

// UniformBatch returns count messages of size bytes each, laid out back to
// back, with their offsets: the input of a hashing benchmark. The content
// is a fixed pseudo-random sequence so runs are comparable.
func UniformBatch(count, size int) (data []byte, offsets []uint32) {
	if count < 0 || size < 0 {
		return nil, []uint32{0}
	}
	data = make([]byte, count*size)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range data {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		data[i] = byte(x)
	}
	offsets = make([]uint32, count+1)
	for i := range offsets {
		offsets[i] = uint32(i * size)
	}
	return data, offsets
}
