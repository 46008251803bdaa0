package ethtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// TestBlockTestFixtures imports every BlockchainTest under
// fixtures/blocktests and fails on any failure not listed, with its
// reason, in testdata/blocktest_known_failures.txt (one "file|name" key a
// line). With -short it runs every 4th file.
func TestBlockTestFixtures(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: blockchain tests skipped")
	}
	root := filepath.Join(dir, "blocktests")
	known := knownFailures(t, "blocktest_known_failures.txt")
	out := runFixtureFiles(t, root, 4, func(path string) ([]Result, error) {
		tests, err := ReadBlockTestFile(path)
		if err != nil {
			return nil, err
		}
		return RunBlockTests(tests, BlockTestOptions{}), nil
	})

	perFolder := map[string][2]int{}
	var unexpected []string
	seenKnown := map[string]bool{}
	total, passed := 0, 0
	for _, fr := range out {
		if fr.err != nil {
			unexpected = append(unexpected, fmt.Sprintf("%s: %v", fr.rel, fr.err))
			continue
		}
		parts := strings.SplitN(filepath.ToSlash(fr.rel), "/", 5)
		folder := strings.Join(parts[:min(4, len(parts)-1)], "/")
		c := perFolder[folder]
		for _, r := range fr.results {
			total++
			c[1]++
			key := filepath.ToSlash(fr.rel) + "|" + r.Name
			if r.Pass {
				passed++
				c[0]++
				if _, ok := known[key]; ok {
					t.Logf("listed as a known failure but passes: %s", key)
				}
				continue
			}
			if _, ok := known[key]; ok {
				seenKnown[key] = true
				continue
			}
			unexpected = append(unexpected, fmt.Sprintf("%s: %s", key, firstLine(r.Error)))
		}
		perFolder[folder] = c
	}
	folders := make([]string, 0, len(perFolder))
	for f := range perFolder {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	for _, f := range folders {
		c := perFolder[f]
		t.Logf("%-90s %d/%d", f, c[0], c[1])
	}
	t.Logf("blockchain tests: %d/%d passed in %d files", passed, total, len(out))
	if total == 0 {
		t.Fatal("no blockchain tests found under " + root)
	}
	for i, u := range unexpected {
		if i == 50 {
			t.Errorf("... and %d more", len(unexpected)-50)
			break
		}
		t.Error(u)
	}
}

// TestParseSchedule covers plain and transition networks.
func TestParseSchedule(t *testing.T) {
	cases := []struct {
		network      string
		number, time uint64
		want         forks.Fork
	}{
		{"Cancun", 1, 1, forks.Cancun},
		{"ConstantinopleFix", 1, 1, forks.Petersburg},
		{"ShanghaiToCancunAtTime15k", 100, 14999, forks.Shanghai},
		{"ShanghaiToCancunAtTime15k", 1, 15000, forks.Cancun},
		{"CancunToPragueAtTime15k", 1, 15001, forks.Prague},
		{"BerlinToLondonAt5", 4, 100000, forks.Berlin},
		{"BerlinToLondonAt5", 5, 0, forks.London},
		{"EIP158ToByzantiumAt5", 6, 0, forks.Byzantium},
	}
	for _, c := range cases {
		s, err := ParseSchedule(c.network)
		if err != nil {
			t.Fatalf("%s: %v", c.network, err)
		}
		if got := s.ForkAt(c.number, c.time); got != c.want {
			t.Errorf("%s at (%d, %d): %v, want %v", c.network, c.number, c.time, got, c.want)
		}
	}
	for _, bad := range []string{"", "Frontier2", "HomesteadToDaoAt5", "ArrowGlacierToParisAtDiffC0000"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// TestBlockTestBadInput checks that malformed tests fail with an error
// instead of a panic.
func TestBlockTestBadInput(t *testing.T) {
	tests := map[string]*BlockTest{
		"noGenesis":  {Network: "Cancun"},
		"badNetwork": {Network: "Nonsense"},
		"badRLP":     {Network: "Cancun", GenesisRLP: hexBytes{0xf9, 0x01}},
	}
	for _, r := range RunBlockTests(tests, BlockTestOptions{}) {
		if r.Pass || r.Error == "" {
			t.Errorf("%s: passed", r.Name)
		}
	}
}

// TestCalcDifficulty checks the proof-of-work difficulty formula on real
// consecutive mainnet blocks (the first of Byzantium, Petersburg and
// Berlin, and the merge).
func TestCalcDifficulty(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: difficulty check skipped")
	}
	header := func(n string) *types.Header {
		raw, err := os.ReadFile(filepath.Join(dir, "mainnet", "ethereum", "blocks", n, "block.json"))
		if err != nil {
			t.Fatal(err)
		}
		var b types.Block
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		return b.Header
	}
	for _, pair := range [][2]string{{"4369999", "4370000"}, {"7279999", "7280000"}, {"12243999", "12244000"}, {"15537393", "15537394"}} {
		parent, h := header(pair[0]), header(pair[1])
		if h.ParentHash != parent.Hash() {
			t.Fatalf("%s is not the parent of %s", pair[0], pair[1])
		}
		fork := MainnetSchedule(h.Number, h.Time)
		if got := CalcDifficulty(fork, h.Time, parent); !got.Eq(&h.Difficulty) {
			t.Errorf("block %d (%v): difficulty %v, want %v", h.Number, fork, got, &h.Difficulty)
		}
	}
}
