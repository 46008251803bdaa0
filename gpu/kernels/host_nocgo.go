//go:build !cgo

package kernels

import (
	"errors"

	"github.com/plasmaxpl/engine/types"
)

// HostAvailable reports whether this build has the host-compiled kernels.
const HostAvailable = false

var errNoCgo = errors.New("kernels: host build of the kernels needs cgo")

// HostKeccakBatch needs cgo; without it, it panics.
func HostKeccakBatch(data []byte, offsets []uint32, out []types.Hash) { panic(errNoCgo) }

// HostSnappyChunk needs cgo; without it, it returns an error.
func HostSnappyChunk(src []byte, segLen, lookback int) ([]byte, error) { return nil, errNoCgo }
