package forks

import "testing"

func TestParseNames(t *testing.T) {
	cases := map[string]Fork{
		"Frontier": Frontier, "EIP150": TangerineWhistle, "TangerineWhistle": TangerineWhistle,
		"EIP158": SpuriousDragon, "ConstantinopleFix": Petersburg, "petersburg": Petersburg,
		"Merge": Paris, "Paris": Paris, "Cancun": Cancun, "PRAGUE": Prague,
	}
	for name, want := range cases {
		got, err := Parse(name)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := Parse("Osaka"); err == nil {
		t.Error("Parse accepted a fork this engine does not implement")
	}
	for _, f := range All() {
		if g, err := Parse(f.String()); err != nil || g != f {
			t.Errorf("%v does not round-trip through its name", f)
		}
	}
}

// Once an EIP is on it stays on: every switch is monotonic in the fork,
// except EIP-1283, which Petersburg removed again.
func TestRulesMonotonic(t *testing.T) {
	switches := func(r Rules) []bool {
		return []bool{r.IsHomestead, r.IsEIP150, r.IsEIP155, r.IsEIP158, r.IsEIP170, r.IsByzantium,
			r.IsConstantinople, r.IsPetersburg, r.IsIstanbul, r.IsBerlin, r.IsLondon, r.IsMerge,
			r.IsShanghai, r.IsCancun, r.IsPrague}
	}
	prev := switches(RulesFor(Frontier))
	for _, f := range All()[1:] {
		cur := switches(RulesFor(f))
		for i := range cur {
			if prev[i] && !cur[i] {
				t.Errorf("%v turns off switch %d", f, i)
			}
		}
		prev = cur
	}
	if !RulesFor(Constantinople).IsEIP1283 || RulesFor(Petersburg).IsEIP1283 || RulesFor(Byzantium).IsEIP1283 {
		t.Error("EIP-1283 must be active in Constantinople only")
	}
	if s := BlobScheduleFor(Prague); s.Target != 6 || s.Max != 9 {
		t.Errorf("Prague blob schedule %+v, want target 6 max 9 (EIP-7691)", s)
	}
	if s := BlobScheduleFor(Cancun); s.Target != 3 || s.Max != 6 {
		t.Errorf("Cancun blob schedule %+v, want target 3 max 6 (EIP-4844)", s)
	}
}
