package gpu

import (
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// FuzzHashBatch splits arbitrary data at arbitrary offsets (two bytes of
// cuts per message, read as a length; the first pair is the start offset)
// and checks every backend against x/crypto.
func FuzzHashBatch(f *testing.F) {
	f.Add([]byte("hello world"), []byte{0, 0, 5, 0, 6, 0})
	f.Add(make([]byte, 700), []byte{1, 0, 135, 0, 136, 0, 137, 0, 0, 0, 200, 0})
	f.Add([]byte{}, []byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte, cuts []byte) {
		if len(cuts) < 2 {
			return
		}
		start := (int(cuts[0]) | int(cuts[1])<<8) % (len(data) + 1)
		offsets := []uint32{uint32(start)}
		for i := 2; i+1 < len(cuts); i += 2 {
			last := int(offsets[len(offsets)-1])
			size := (int(cuts[i]) | int(cuts[i+1])<<8) % (len(data) - last + 1)
			offsets = append(offsets, uint32(last+size))
		}
		want := make([]types.Hash, len(offsets)-1)
		for i := range want {
			want[i] = oracle(data[offsets[i]:offsets[i+1]])
		}
		for _, b := range Backends() {
			out := make([]types.Hash, len(want))
			b.HashBatch(data, offsets, out)
			for i := range out {
				if out[i] != want[i] {
					t.Fatalf("%s: message %d [%d,%d): got %x, want %x", b.Name(), i, offsets[i], offsets[i+1], out[i], want[i])
				}
			}
		}
	})
}
