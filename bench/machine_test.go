package bench

import (
	"runtime"
	"testing"
	"time"
)

func TestCoreRoundTrip(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		if _, ok := CoreRoundTrip(100, time.Second); ok {
			t.Fatal("ok with GOMAXPROCS 1")
		}
		t.Skip("needs GOMAXPROCS >= 2")
	}
	start := time.Now()
	rt, ok := CoreRoundTrip(2000, 200*time.Millisecond)
	if !ok || rt <= 0 {
		t.Fatalf("round trip %v, ok %v", rt, ok)
	}
	// The budget bounds the call even when the threads share a core.
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("took %v with a 200ms budget", el)
	}
	t.Logf("cross-core round trip %v", rt)
}

func TestCoreRoundTripOneCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if _, ok := CoreRoundTrip(100, time.Second); ok {
		t.Fatal("ok with GOMAXPROCS 1")
	}
}
