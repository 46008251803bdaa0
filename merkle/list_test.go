package merkle

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

func TestIndexKey(t *testing.T) {
	cases := map[uint64]string{0: "80", 1: "01", 0x7f: "7f", 0x80: "8180", 0xff: "81ff", 0x100: "820100", 1 << 24: "8401000000"}
	for i, want := range cases {
		if got := appendIndexKey(nil, i); string(got) != string(mustHex(t, want)) {
			t.Errorf("rlp(%d) = %x, want %s", i, got, want)
		}
	}
}

func TestListRootReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 2, 3, 16, 127, 128, 129, 300, 1000} {
		items := make([][]byte, n)
		m := map[string][]byte{}
		for i := range items {
			items[i] = randValue(r)
			m[string(appendIndexKey(nil, uint64(i)))] = items[i]
		}
		got := ListRoot(n, func(i int, buf []byte) []byte { return append(buf, items[i]...) })
		if want := refRoot(m); got != want {
			t.Fatalf("n=%d: ListRoot %x, reference %x", n, got, want)
		}
	}
}

// rlpSplit is a minimal RLP reader for the test: it splits b into its first
// item (header included) and the rest, reporting whether the item is a list
// and where its content starts.
func rlpSplit(b []byte) (item, rest []byte, isList bool, content int, err error) {
	if len(b) == 0 {
		return nil, nil, false, 0, errors.New("empty")
	}
	p := b[0]
	var size, hdr int
	switch {
	case p < 0x80:
		return b[:1], b[1:], false, 0, nil
	case p < 0xb8:
		hdr, size = 1, int(p-0x80)
	case p < 0xc0:
		n := int(p - 0xb7)
		hdr = 1 + n
		if len(b) < hdr {
			return nil, nil, false, 0, errors.New("short")
		}
		for _, x := range b[1:hdr] {
			size = size<<8 | int(x)
		}
	case p < 0xf8:
		isList = true
		hdr, size = 1, int(p-0xc0)
	default:
		isList = true
		n := int(p - 0xf7)
		hdr = 1 + n
		if len(b) < hdr {
			return nil, nil, false, 0, errors.New("short")
		}
		for _, x := range b[1:hdr] {
			size = size<<8 | int(x)
		}
	}
	if len(b) < hdr+size {
		return nil, nil, false, 0, errors.New("short")
	}
	return b[:hdr+size], b[hdr+size:], isList, hdr, nil
}

// rlpItems returns the items of the RLP list l.
func rlpItems(t testing.TB, l []byte) [][]byte {
	item, _, isList, c, err := rlpSplit(l)
	if err != nil || !isList {
		t.Fatalf("not a list: %v", err)
	}
	var out [][]byte
	for b := item[c:]; len(b) > 0; {
		it, rest, _, _, err := rlpSplit(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
		b = rest
	}
	return out
}

// TestListRootBlocks recomputes transactionsTrie and withdrawalsRoot of
// blockchain test blocks from their RLP.
func TestListRootBlocks(t *testing.T) {
	dir := filepath.Join(fixtureRoot, "blocktests/execution-spec-tests/blockchain_tests")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("fixtures not found at %s: %v", dir, err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	type block struct {
		RLP    string            `json:"rlp"`
		Header map[string]string `json:"blockHeader"`
	}
	type test struct {
		Blocks []block `json:"blocks"`
	}
	checkedTx, checkedWd, nonEmpty := 0, 0, 0
	step := max(1, len(files)/40)
	for fi := 0; fi < len(files); fi += step {
		raw, err := os.ReadFile(files[fi])
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]test
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", files[fi], err)
		}
		for name, tc := range tests {
			for bi, b := range tc.Blocks {
				if b.Header == nil {
					continue // invalid block
				}
				parts := rlpItems(t, mustHex(t, b.RLP))
				txs := rlpItems(t, parts[1])
				// A typed transaction is an RLP string whose content is the
				// envelope; a legacy one is the list itself.
				vals := make([][]byte, len(txs))
				for i, tx := range txs {
					_, _, isList, c, _ := rlpSplit(tx)
					if isList {
						vals[i] = tx
					} else {
						vals[i] = tx[c:]
					}
				}
				got := ListRoot(len(vals), func(i int, buf []byte) []byte { return append(buf, vals[i]...) })
				if want := types.HexToHash(b.Header["transactionsTrie"]); got != want {
					t.Errorf("%s %s block %d: transactions root %x, want %x", files[fi], name, bi, got, want)
				}
				checkedTx++
				if len(vals) > 0 {
					nonEmpty++
				}
				if wr, ok := b.Header["withdrawalsRoot"]; ok && len(parts) > 3 {
					wds := rlpItems(t, parts[3])
					got := ListRoot(len(wds), func(i int, buf []byte) []byte { return append(buf, wds[i]...) })
					if want := types.HexToHash(wr); got != want {
						t.Errorf("%s %s block %d: withdrawals root %x, want %x", files[fi], name, bi, got, want)
					}
					checkedWd++
				}
			}
		}
	}
	if nonEmpty < 20 {
		t.Fatalf("only %d blocks with transactions checked", nonEmpty)
	}
	t.Logf("%d transaction roots (%d non-empty) and %d withdrawal roots checked", checkedTx, nonEmpty, checkedWd)
}

// TestListRootReuse calls ListRoot repeatedly and concurrently with sizes
// that grow and shrink, so pooled arenas are rewound and regrown.
func TestListRootReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	sizes := []int{5, 300, 2, 1000, 40, 1000, 129}
	items := make([][][]byte, len(sizes))
	want := make([]types.Hash, len(sizes))
	for s, n := range sizes {
		m := map[string][]byte{}
		items[s] = make([][]byte, n)
		for i := range items[s] {
			items[s][i] = randValue(r)
			m[string(appendIndexKey(nil, uint64(i)))] = items[s][i]
		}
		want[s] = refRoot(m)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for round := 0; round < 3; round++ {
				for s, n := range sizes {
					got := ListRoot(n, func(i int, buf []byte) []byte { return append(buf, items[s][i]...) })
					if got != want[s] {
						done <- errors.New("ListRoot mismatch")
						return
					}
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// The list scratch kept between calls is bounded: at most listCacheStates
// of them, none whose arena grew past listCacheBytes, and a collection
// does not drop them (ListRoot after a GC finds its arena warm).
func TestListCacheBounded(t *testing.T) {
	drain := func() (n int) {
		for ; listCache.Len() > 0; n++ {
			listCache.Get()
		}
		return n
	}
	drain() // what earlier tests left
	defer drain()

	item := func(i int, buf []byte) []byte { return append(buf, byte(i), 1, 2, 3) }
	ListRoot(500, item) // grows a fresh state's arena, then keeps it
	runtime.GC()
	runtime.GC() // a sync.Pool would have dropped it by now
	if kept := listCache.Len(); kept != 1 {
		t.Fatalf("%d states kept after one list and a collection, want 1", kept)
	}
	if allocs := testing.AllocsPerRun(5, func() { ListRoot(500, item) }); allocs != 0 && !raceEnabled {
		t.Errorf("ListRoot of a size seen before allocated %v times", allocs)
	}

	states := make([]*listState, listCacheStates+2)
	for i := range states {
		states[i] = listCache.Get()
	}
	for _, s := range states {
		putListState(s)
	}
	if n := drain(); n != listCacheStates {
		t.Errorf("%d states kept, want at most %d", n, listCacheStates)
	}

	big := listCache.Get()
	big.trie.arena.buf = make([]byte, listCacheBytes+1)
	putListState(big)
	if listCache.Len() != 0 {
		t.Error("a state whose arena is over listCacheBytes was kept")
	}
}
