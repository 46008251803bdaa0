package precompile

import (
	"bytes"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustRun(t testing.TB, c Contract, input []byte) []byte {
	t.Helper()
	out, err := c.Run(input)
	if err != nil {
		t.Fatalf("Run(%x): %v", input, err)
	}
	return out
}

func TestForkSets(t *testing.T) {
	// The highest precompile address at each fork.
	highest := map[forks.Fork]byte{
		forks.Frontier: 0x04, forks.Homestead: 0x04, forks.TangerineWhistle: 0x04,
		forks.SpuriousDragon: 0x04, forks.Byzantium: 0x08, forks.Constantinople: 0x08,
		forks.Petersburg: 0x08, forks.Istanbul: 0x09, forks.MuirGlacier: 0x09,
		forks.Berlin: 0x09, forks.London: 0x09, forks.ArrowGlacier: 0x09,
		forks.GrayGlacier: 0x09, forks.Paris: 0x09, forks.Shanghai: 0x09,
		forks.Cancun: 0x0a, forks.Prague: 0x11,
	}
	for _, f := range forks.All() {
		want, ok := highest[f]
		if !ok {
			t.Fatalf("fork %v missing from the test table", f)
		}
		s := ForRules(forks.RulesFor(f))
		if s != ForRules(forks.RulesFor(f)) {
			t.Errorf("%v: set not shared between calls", f)
		}
		addrs := s.Addresses()
		if len(addrs) != int(want) {
			t.Errorf("%v: %d precompiles, want %d", f, len(addrs), want)
		}
		for i, a := range addrs {
			if a != lowAddress(byte(i+1)) {
				t.Errorf("%v: address %d is %x", f, i, a)
			}
			if _, ok := s.Lookup(a); !ok {
				t.Errorf("%v: Lookup(%x) failed", f, a)
			}
		}
		if _, ok := s.Lookup(lowAddress(want + 1)); ok {
			t.Errorf("%v: 0x%02x should not be a precompile", f, want+1)
		}
	}
}

func TestLookupRejectsHighBytes(t *testing.T) {
	s := ForRules(forks.RulesFor(forks.Prague))
	for i := 0; i < types.AddressLength-1; i++ {
		a := lowAddress(0x01)
		a[i] = 1
		if _, ok := s.Lookup(a); ok {
			t.Errorf("Lookup(%x) found a precompile", a)
		}
	}
	if _, ok := s.Lookup(types.Address{}); ok {
		t.Error("the zero address is not a precompile")
	}
}

// Repricings replace the contract at the same address from their fork on.
func TestForkPricing(t *testing.T) {
	gasAt := func(f forks.Fork, addr byte, input []byte) uint64 {
		c, ok := ForRules(forks.RulesFor(f)).Lookup(lowAddress(addr))
		if !ok {
			t.Fatalf("%v: no precompile at %x", f, addr)
		}
		return c.RequiredGas(input)
	}
	pairs2 := make([]byte, 2*192)
	cases := []struct {
		addr        byte
		input       []byte
		fork        forks.Fork
		before, now uint64
	}{
		{0x06, nil, forks.Istanbul, 500, 150},                             // EIP-1108
		{0x07, nil, forks.Istanbul, 40000, 6000},                          // EIP-1108
		{0x08, pairs2, forks.Istanbul, 100000 + 2*80000, 45000 + 2*34000}, // EIP-1108
		{0x05, make([]byte, 96), forks.Berlin, 0, 200},                    // EIP-2565 minimum
	}
	for _, c := range cases {
		if got := gasAt(c.fork-1, c.addr, c.input); got != c.before {
			t.Errorf("0x%02x before %v: gas %d, want %d", c.addr, c.fork, got, c.before)
		}
		if got := gasAt(c.fork, c.addr, c.input); got != c.now {
			t.Errorf("0x%02x at %v: gas %d, want %d", c.addr, c.fork, got, c.now)
		}
	}
}

// The contracts are stateless values; running them from many goroutines at
// once must give the same answers (run with -race to check for data races,
// in particular the lazily loaded KZG setup).
func TestConcurrentUse(t *testing.T) {
	s := ForRules(forks.RulesFor(forks.Prague))
	inputs := map[byte][]byte{
		0x02: []byte("abc"),
		0x05: modExpInput(big3(), bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"), bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"), 32, 32, 32),
		0x0a: constantPolyProofInput(t, 7, 11),
	}
	want := map[byte][]byte{}
	for a, in := range inputs {
		c, _ := s.Lookup(lowAddress(a))
		want[a] = mustRun(t, c, in)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a, in := range inputs {
				c, _ := s.Lookup(lowAddress(a))
				out, err := c.Run(in)
				if err != nil || !bytes.Equal(out, want[a]) {
					t.Errorf("0x%02x: concurrent run gave %x, %v", a, out, err)
				}
			}
		}()
	}
	wg.Wait()
}

// Inputs whose price no call could pay must come back at once from Run:
// a million pairing pairs are refused outright; a 200,000-point MSM of
// all-zero (infinity) points is cheap to decode and sums to infinity. The
// big buffer is never written, so the operating system does not back it
// with memory.
func TestHostileLengths(t *testing.T) {
	cases := []struct {
		c       Contract
		size    int
		refused bool
	}{
		{bn254Pairing{base: 45000, perPair: 34000}, 192 * 1_000_000, true},
		{blsPairing{}, 384 * 1_000_000, true},
		{blsG1MSM{}, 160 * 200_000, false},
		{blsG2MSM{}, 288 * 200_000, false},
	}
	buf := make([]byte, 384*1_000_000)
	for _, c := range cases {
		in := buf[:c.size]
		start := time.Now()
		if g := c.c.RequiredGas(in); g < 1_000_000_000 {
			t.Errorf("%T: %d bytes priced at only %d", c.c, c.size, g)
		}
		if _, err := c.c.Run(in); (err != nil) != c.refused {
			t.Errorf("%T: %d bytes: error %v, want refused=%v", c.c, c.size, err, c.refused)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%T: took %v", c.c, d)
		}
	}
}
