package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/evm/precompile"
)

// Every benchmark input is valid and both sides agree on it; the inputs
// whose result is known say so.
func TestPrecompileCases(t *testing.T) {
	cases, err := precompileCases()
	if err != nil {
		t.Fatal(err)
	}
	ours := precompile.ForRules(forks.RulesFor(forks.Prague))
	seen := map[byte]bool{}
	for _, c := range cases {
		_, _, gas, out, _, err := checkPrecompile(ours, c)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if gas == 0 {
			t.Errorf("%s: zero gas", c.name)
		}
		seen[c.addr] = true
		switch c.addr {
		case 0x08, 0x0f: // pairings built to hold
			if out[31] != 1 {
				t.Errorf("%s: pairing check %x, want true", c.name, out)
			}
		case 0x0a: // FIELD_ELEMENTS_PER_BLOB, then the BLS modulus
			if out[30] != 0x10 || out[31] != 0 {
				t.Errorf("%s: output %x", c.name, out)
			}
		}
	}
	for a := byte(0x01); a <= 0x11; a++ {
		if !seen[a] {
			t.Errorf("no input for precompile 0x%02x", a)
		}
	}
	again, _ := precompileCases()
	for i := range cases {
		if !bytes.Equal(cases[i].input, again[i].input) {
			t.Errorf("%s: input differs between builds", cases[i].name)
		}
	}
}

// A run with --only keeps the other sections of the previous results, in
// report order, with the run they came from.
func TestKeepPrevious(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bench", "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	prev := Run{Command: "earlier", Started: "t0", Rounds: 5, Sections: []Section{
		{Key: "statetests", Title: "old statetests"},
		{Key: "keccak", Title: "old keccak"},
		{Key: "precompiles", Title: "old precompiles"},
		{Key: "gone", Title: "a section no longer run"},
	}}
	b, _ := json.Marshal(prev)
	if err := os.WriteFile(resultsPath(root, false), b, 0o644); err != nil {
		t.Fatal(err)
	}
	run := Run{Command: "now", Quick: true, Started: "t1"}
	run.Sections = []Section{{Key: "precompiles", Title: "new precompiles", Origin: run.origin()}}
	// No quick results yet: the full ones are used.
	from, err := keepPrevious(&options{root: root}, &run)
	if err != nil || from != resultsPath(root, false) {
		t.Fatalf("keepPrevious = %q, %v", from, err)
	}
	var got []string
	for _, s := range run.Sections {
		got = append(got, s.Title+" from "+s.Origin.Command)
	}
	want := []string{"old keccak from earlier", "new precompiles from now", "old statetests from earlier"}
	if len(got) != len(want) {
		t.Fatalf("sections %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sections %q, want %q", got, want)
		}
	}
}
