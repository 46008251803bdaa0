package freelist

import (
	"sync"
	"testing"
)

// A list hands back what it kept, newest first, keeps no more than Max,
// and survives concurrent use.
func TestList(t *testing.T) {
	l := List[int]{Max: 2}
	if l.Get() != nil {
		t.Fatal("an empty list returned a value")
	}
	a, b, c := new(int), new(int), new(int)
	l.Put(a)
	l.Put(b)
	l.Put(c)
	if n := l.Len(); n != 2 {
		t.Fatalf("%d kept, want 2", n)
	}
	if l.Get() != b || l.Get() != a || l.Get() != nil {
		t.Fatal("values not handed back newest first")
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				x := l.Get()
				if x == nil {
					x = new(int)
				}
				l.Put(x)
			}
		})
	}
	wg.Wait()
	if n := l.Len(); n > 2 {
		t.Fatalf("%d kept after concurrent use, want at most 2", n)
	}
}

// Get makes a value with New when none is kept.
func TestListNew(t *testing.T) {
	made := 0
	l := List[int]{Max: 1, New: func() *int { made++; return new(int) }}
	x := l.Get()
	l.Put(x)
	if y := l.Get(); y != x || made != 1 {
		t.Fatalf("kept value not reused (made %d)", made)
	}
	if l.Get() == nil || made != 2 {
		t.Fatalf("New not called for an empty list (made %d)", made)
	}
}
