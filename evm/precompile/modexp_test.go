package precompile

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"
	"time"
)

func big3() *big.Int { return big.NewInt(3) }

func bigHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

// modExpInput encodes lengths and operands (each operand left-padded to its
// length).
func modExpInput(b, e, m *big.Int, blen, elen, mlen int) []byte {
	in := make([]byte, 96+blen+elen+mlen)
	big.NewInt(int64(blen)).FillBytes(in[0:32])
	big.NewInt(int64(elen)).FillBytes(in[32:64])
	big.NewInt(int64(mlen)).FillBytes(in[64:96])
	b.FillBytes(in[96 : 96+blen])
	e.FillBytes(in[96+blen : 96+blen+elen])
	m.FillBytes(in[96+blen+elen:])
	return in
}

// refModExpGas is the EIP-198 / EIP-2565 price computed with math/big
// straight from the EIPs' pseudocode, with no bounds or shortcuts.
func refModExpGas(input []byte, eip2565 bool) *big.Int {
	get := func(off, n *big.Int) []byte {
		out := make([]byte, n.Int64())
		o := off.Int64()
		if off.IsInt64() && o < int64(len(input)) {
			copy(out, input[o:])
		}
		return out
	}
	w := func(i int64) *big.Int { return new(big.Int).SetBytes(get(big.NewInt(i), big.NewInt(32))) }
	blen, elen, mlen := w(0), w(32), w(64)
	x := blen
	if mlen.Cmp(x) > 0 {
		x = mlen
	}
	// adjusted exponent length
	headLen := big.NewInt(32)
	if elen.Cmp(headLen) < 0 {
		headLen = elen
	}
	head := new(big.Int).SetBytes(get(new(big.Int).Add(big.NewInt(96), blen), headLen))
	adj := new(big.Int)
	if head.BitLen() > 0 {
		adj.SetInt64(int64(head.BitLen() - 1))
	}
	if elen.Cmp(big.NewInt(32)) > 0 {
		t := new(big.Int).Sub(elen, big.NewInt(32))
		adj.Add(adj, t.Mul(t, big.NewInt(8)))
	}
	if adj.Sign() == 0 {
		adj.SetInt64(1)
	}
	sq := new(big.Int).Mul(x, x)
	if eip2565 {
		words := new(big.Int).Add(x, big.NewInt(7))
		words.Div(words, big.NewInt(8))
		g := words.Mul(words, words)
		g.Mul(g, adj).Div(g, big.NewInt(3))
		if g.Cmp(big.NewInt(200)) < 0 {
			g.SetInt64(200)
		}
		return g
	}
	var mc *big.Int
	switch {
	case x.Cmp(big.NewInt(64)) <= 0:
		mc = sq
	case x.Cmp(big.NewInt(1024)) <= 0:
		mc = new(big.Int).Div(sq, big.NewInt(4))
		mc.Add(mc, new(big.Int).Mul(x, big.NewInt(96)))
		mc.Sub(mc, big.NewInt(3072))
	default:
		mc = new(big.Int).Div(sq, big.NewInt(16))
		mc.Add(mc, new(big.Int).Mul(x, big.NewInt(480)))
		mc.Sub(mc, big.NewInt(199680))
	}
	g := mc.Mul(mc, adj)
	return g.Div(g, big.NewInt(20))
}

// checkModExpGas fails unless ours equals the reference whenever the
// reference is below 2^59, and never undercharges.
func checkModExpGas(t testing.TB, input []byte) {
	for _, eip2565 := range []bool{false, true} {
		got := modExp{eip2565: eip2565}.RequiredGas(input)
		want := refModExpGas(input, eip2565)
		g := new(big.Int).SetUint64(got)
		if !want.IsUint64() && got == ^uint64(0) {
			continue // saturated
		}
		if g.Cmp(want) < 0 {
			t.Fatalf("eip2565=%v input %x: gas %d undercharges %v", eip2565, input, got, want)
		}
		if want.Cmp(new(big.Int).Lsh(big.NewInt(1), 59)) < 0 && g.Cmp(want) != 0 {
			t.Fatalf("eip2565=%v input %x: gas %d, want %v", eip2565, input, got, want)
		}
	}
}

// refModExp computes the output with math/big from a fully padded copy of
// the input (small lengths only).
func refModExp(input []byte) []byte {
	word := func(i int) int { return int(new(big.Int).SetBytes(padTo(input, i, 32)).Int64()) }
	blen, elen, mlen := word(0), word(32), word(64)
	b := new(big.Int).SetBytes(padTo(input, 96, blen))
	e := new(big.Int).SetBytes(padTo(input, 96+blen, elen))
	m := new(big.Int).SetBytes(padTo(input, 96+blen+elen, mlen))
	out := make([]byte, mlen)
	if m.Sign() == 0 {
		return out
	}
	r := new(big.Int).Exp(b, e, m)
	if m.Cmp(big.NewInt(1)) == 0 {
		r.SetInt64(0)
	}
	return r.FillBytes(out)
}

func padTo(b []byte, off, n int) []byte {
	out := make([]byte, n)
	if off < len(b) {
		copy(out, b[off:])
	}
	return out
}

func TestModExpEIP198Examples(t *testing.T) {
	p := bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	// Example 1: 3^(p-1) mod p = 1 (Fermat).
	in := modExpInput(big3(), pm1, p, 32, 32, 32)
	want := make([]byte, 32)
	want[31] = 1
	if got := mustRun(t, modExp{}, in); !bytes.Equal(got, want) {
		t.Errorf("3^(p-1) mod p = %x", got)
	}
	// EIP-198's own price for it: 32^2 * 255 / 20; EIP-2565's: 4^2 * 255 / 3.
	if g := (modExp{}).RequiredGas(in); g != 13056 {
		t.Errorf("EIP-198 gas %d, want 13056", g)
	}
	if g := (modExp{eip2565: true}).RequiredGas(in); g != 1360 {
		t.Errorf("EIP-2565 gas %d, want 1360", g)
	}
	// Example 2: base length 0, so the base is 0: 0^(p-1) mod p = 0.
	in2 := make([]byte, 96+32+32)
	in2[63], in2[95] = 32, 32
	pm1.FillBytes(in2[96:128])
	p.FillBytes(in2[128:])
	if got := mustRun(t, modExp{}, in2); !bytes.Equal(got, make([]byte, 32)) {
		t.Errorf("0^(p-1) mod p = %x", got)
	}
}

func TestModExpRandomAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 2000; i++ {
		blen, elen, mlen := rng.Intn(70), rng.Intn(40), rng.Intn(70)
		if i%5 == 0 {
			mlen = rng.Intn(3) // tiny moduli, including 0 and 1
		}
		in := make([]byte, 96+blen+elen+mlen)
		rng.Read(in[96:])
		big.NewInt(int64(blen)).FillBytes(in[0:32])
		big.NewInt(int64(elen)).FillBytes(in[32:64])
		big.NewInt(int64(mlen)).FillBytes(in[64:96])
		if i%7 == 0 && mlen > 0 {
			in[len(in)-1] = 1 // modulus often 1 or small
			clear(in[len(in)-mlen : len(in)-1])
		}
		// Truncate sometimes: the missing bytes read as zeros.
		if i%3 == 0 {
			in = in[:rng.Intn(len(in)+1)]
		}
		got := mustRun(t, modExp{eip2565: true}, in)
		if want := refModExp(in); !bytes.Equal(got, want) {
			t.Fatalf("input %x: got %x, want %x", in, got, want)
		}
		checkModExpGas(t, in)
	}
}

// An exponent running past the end of the input leaves the modulus
// (which follows it) all zero padding: the output is zeros.
func TestModExpExponentPastInput(t *testing.T) {
	in := make([]byte, 96+1+2)
	in[31], in[63], in[95] = 1, 200, 4
	in[96], in[97], in[98] = 5, 1, 2
	if got := mustRun(t, modExp{}, in); !bytes.Equal(got, make([]byte, 4)) {
		t.Fatalf("zero modulus: %x", got)
	}
}

func TestModExpGasEdges(t *testing.T) {
	word := func(v *big.Int) []byte { return v.FillBytes(make([]byte, 32)) }
	two := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	lens := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(31), big.NewInt(32), big.NewInt(33),
		big.NewInt(64), big.NewInt(65), big.NewInt(1024), big.NewInt(1025),
		two(32), two(33), two(36), new(big.Int).Sub(two(37), big.NewInt(1)), two(37),
		new(big.Int).Add(two(37), big.NewInt(1)), two(58), two(61), two(63), two(64), two(200),
		new(big.Int).Sub(two(256), big.NewInt(1)),
	}
	heads := [][]byte{nil, {1}, {0x80}, bytes.Repeat([]byte{0xff}, 40)}
	for _, bl := range lens {
		for _, el := range lens {
			for _, ml := range lens[:12] {
				for _, h := range heads {
					in := append(append(append(word(bl), word(el)...), word(ml)...), h...)
					checkModExpGas(t, in)
					checkModExpGas(t, in[:len(in)-len(h)])
				}
			}
		}
	}
}

// Hostile lengths must fail cheaply, both in RequiredGas and in a direct Run.
func TestModExpHostile(t *testing.T) {
	word := func(v *big.Int) []byte { return v.FillBytes(make([]byte, 32)) }
	huge := []*big.Int{
		new(big.Int).Lsh(big.NewInt(1), 32), new(big.Int).Lsh(big.NewInt(1), 255),
		new(big.Int).Lsh(big.NewInt(1), 40),
	}
	small := big.NewInt(1)
	for _, h := range huge {
		for _, c := range [][3]*big.Int{{h, small, small}, {small, h, small}, {small, small, h}, {h, h, h}} {
			in := append(append(word(c[0]), word(c[1])...), word(c[2])...)
			in = append(in, 3, 0xff, 7)
			for _, eip2565 := range []bool{false, true} {
				start := time.Now()
				m := modExp{eip2565: eip2565}
				g := m.RequiredGas(in)
				if g < 1_000_000_000 {
					t.Errorf("lengths %v: gas only %d", c, g)
				}
				out, err := m.Run(in)
				if g > maxRunGas && err == nil {
					t.Errorf("lengths %v: Run accepted unpayable input (%d bytes out)", c, len(out))
				}
				if err == nil && !bytes.Equal(out, make([]byte, len(out))) {
					t.Errorf("lengths %v: modulus is zero padding, output must be zeros", c)
				}
				if d := time.Since(start); d > time.Second {
					t.Errorf("lengths %v: took %v", c, d)
				}
			}
		}
	}
	// Modulus length 0: empty output, whatever the other lengths.
	in := append(append(word(huge[1]), word(huge[1])...), word(big.NewInt(0))...)
	if out, err := (modExp{eip2565: true}).Run(in); err != nil || len(out) != 0 {
		t.Errorf("mlen 0: %x, %v", out, err)
	}
}
