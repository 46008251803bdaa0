package evm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
)

// TestBlobBaseFee uses values that follow from EIP-4844's formula with the
// Cancun update fraction 3338477: e^(2314057/3338477) is just under 2 and
// e^(2314058/3338477) just over, and 10 MiB of excess gives e^3.1409 ~ 23.1.
func TestBlobBaseFee(t *testing.T) {
	tests := []struct {
		excess uint64
		fork   forks.Fork
		want   uint64
	}{
		{0, forks.Cancun, 1},
		{2314057, forks.Cancun, 1},
		{2314058, forks.Cancun, 2},
		{10 * 1024 * 1024, forks.Cancun, 23},
		{0, forks.Prague, 1},
		{3471000, forks.Prague, 1}, // ln 2 * 5007716 = 3471063.7
		{3471100, forks.Prague, 2},
		{10 * 1024 * 1024, forks.Prague, 8}, // e^(10485760/5007716) = 8.12
	}
	for _, tt := range tests {
		got := BlobBaseFee(tt.excess, tt.fork)
		if got == nil || !got.IsUint64() || got.Uint64() != tt.want {
			t.Errorf("BlobBaseFee(%d, %v) = %v, want %d", tt.excess, tt.fork, got, tt.want)
		}
	}
	if BlobBaseFee(0, forks.Shanghai) != nil {
		t.Error("blob base fee before Cancun should be nil")
	}
	// Absurd excess saturates instead of looping for ever.
	if got := BlobBaseFee(math.MaxUint64, forks.Cancun); got.BitLen() != 256 {
		t.Errorf("huge excess: %v", got)
	}
}

// txSpecFakeExponential is EIP-4844's fake_exponential transcribed with math/big.
func txSpecFakeExponential(factor, numerator, denominator *big.Int) *big.Int {
	i := big.NewInt(1)
	output := new(big.Int)
	accum := new(big.Int).Mul(factor, denominator)
	for accum.Sign() > 0 {
		output.Add(output, accum)
		accum.Mul(accum, numerator)
		accum.Div(accum, new(big.Int).Mul(denominator, i))
		i.Add(i, big.NewInt(1))
	}
	return output.Div(output, denominator)
}

func TestBlobBaseFeeAgainstSpec(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		excess := r.Uint64N(400_000_000)
		for _, f := range []forks.Fork{forks.Cancun, forks.Prague} {
			want := txSpecFakeExponential(big.NewInt(1), new(big.Int).SetUint64(excess), new(big.Int).SetUint64(forks.BlobScheduleFor(f).BaseFeeUpdateFraction))
			got := BlobBaseFee(excess, f)
			if want.BitLen() > 256 {
				if got.BitLen() != 256 {
					t.Fatalf("excess %d: want saturation, got %v", excess, got)
				}
				continue
			}
			if got.ToBig().Cmp(want) != 0 {
				t.Fatalf("excess %d %v: got %v want %v", excess, f, got, want)
			}
		}
	}
}

func TestCalcExcessBlobGas(t *testing.T) {
	cancunTarget := 3 * GasPerBlob
	pragueTarget := 6 * GasPerBlob
	tests := []struct {
		excess, used uint64
		fork         forks.Fork
		want         uint64
	}{
		{0, 0, forks.Cancun, 0},
		{0, cancunTarget, forks.Cancun, 0},
		{0, cancunTarget + GasPerBlob, forks.Cancun, GasPerBlob},
		{GasPerBlob, 0, forks.Cancun, 0},
		{5 * GasPerBlob, 6 * GasPerBlob, forks.Cancun, 8 * GasPerBlob},
		{5 * GasPerBlob, 6 * GasPerBlob, forks.Prague, 5 * GasPerBlob},
		{0, pragueTarget - 1, forks.Prague, 0},
		{math.MaxUint64, cancunTarget + 1, forks.Cancun, math.MaxUint64}, // 2^64: saturates
		{math.MaxUint64, GasPerBlob, forks.Cancun, math.MaxUint64 - 2*GasPerBlob},
		{math.MaxUint64, 1, forks.Cancun, math.MaxUint64 - cancunTarget + 1},
	}
	for _, tt := range tests {
		if got := CalcExcessBlobGas(tt.excess, tt.used, tt.fork); got != tt.want {
			t.Errorf("CalcExcessBlobGas(%d, %d, %v) = %d, want %d", tt.excess, tt.used, tt.fork, got, tt.want)
		}
	}
}
