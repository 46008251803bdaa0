//go:build cgo

package kernels

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// TestHostKeccakDevicePath checks the device's word-access paths, compiled
// for the host, at every length and alignment.
func TestHostKeccakDevicePath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for align := 0; align < 8; align++ {
		var data []byte
		data = append(data, make([]byte, align)...)
		offsets := []uint32{uint32(align)}
		for n := 0; n <= 600; n++ {
			data = append(data, randomBytes(rng, n)...)
			offsets = append(offsets, uint32(len(data)))
		}
		out := make([]types.Hash, len(offsets)-1)
		hostKeccakBatchDevicePath(data, offsets, out)
		for i := range out {
			if want := refKeccak(data[offsets[i]:offsets[i+1]]); out[i] != want {
				t.Fatalf("align %d len %d: mismatch", align, i)
			}
		}
	}
}

// TestHostSnappyKernelPhases runs the kernel's block logic (segments per
// thread, layout, packing) for several block sizes and checks it gives the
// sequential compressor's bytes.
func TestHostSnappyKernelPhases(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	inputs := [][]byte{{}, {1}, randomBytes(rng, 5000), repetitive(rng, 65536), repetitive(rng, 300000), make([]byte, 70000)}
	if corpus := fixtureCorpusOrNil(1 << 20); corpus != nil {
		inputs = append(inputs, corpus[:65536], corpus[65536:200000])
	}
	for _, p := range []struct{ seg, lookback int }{{SnappySegment, SnappyLookback}, {1000, 500}, {16, 0}} {
		for _, src := range inputs {
			want, err := HostSnappyChunk(src, p.seg, p.lookback)
			if err != nil {
				t.Fatal(err)
			}
			for _, threads := range []int{1, 3, 16, 32, 256} {
				if got := hostSnappyKernel(src, p.seg, p.lookback, threads); !bytes.Equal(got, want) {
					t.Fatalf("%d bytes, segment %d, %d threads: kernel phases differ from the sequential compressor",
						len(src), p.seg, threads)
				}
			}
		}
	}
}
