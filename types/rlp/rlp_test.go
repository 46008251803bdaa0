package rlp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit"

// Examples from Ethereum's RLP specification.
func TestSpecExamples(t *testing.T) {
	// "dog"
	if got := AppendString(nil, "dog"); !bytes.Equal(got, []byte{0x83, 'd', 'o', 'g'}) {
		t.Errorf("dog: %x", got)
	}
	// ["cat", "dog"]
	var l []byte
	l, start := StartList(l)
	l = AppendString(l, "cat")
	l = AppendString(l, "dog")
	l = EndList(l, start)
	if want := []byte{0xc8, 0x83, 'c', 'a', 't', 0x83, 'd', 'o', 'g'}; !bytes.Equal(l, want) {
		t.Errorf("[cat dog]: %x", l)
	}
	if got := AppendString(nil, ""); !bytes.Equal(got, []byte{0x80}) {
		t.Errorf("empty string: %x", got)
	}
	if got := AppendListHeader(nil, 0); !bytes.Equal(got, []byte{0xc0}) {
		t.Errorf("empty list: %x", got)
	}
	if got := AppendUint64(nil, 0); !bytes.Equal(got, []byte{0x80}) {
		t.Errorf("0: %x", got)
	}
	if got := AppendBytes(nil, []byte{0}); !bytes.Equal(got, []byte{0x00}) {
		t.Errorf("byte 0x00: %x", got)
	}
	if got := AppendBytes(nil, []byte{0x0f}); !bytes.Equal(got, []byte{0x0f}) {
		t.Errorf("byte 0x0f: %x", got)
	}
	if got := AppendUint64(nil, 15); !bytes.Equal(got, []byte{0x0f}) {
		t.Errorf("15: %x", got)
	}
	if got := AppendUint64(nil, 1024); !bytes.Equal(got, []byte{0x82, 0x04, 0x00}) {
		t.Errorf("1024: %x", got)
	}
	// The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
	three := []byte{0xc7, 0xc0, 0xc1, 0xc0, 0xc3, 0xc0, 0xc1, 0xc0}
	var s []byte
	s, p0 := StartList(s)
	s = AppendListHeader(s, 0)
	s, p1 := StartList(s)
	s = AppendListHeader(s, 0)
	s = EndList(s, p1)
	s, p2 := StartList(s)
	s = AppendListHeader(s, 0)
	s, p3 := StartList(s)
	s = AppendListHeader(s, 0)
	s = EndList(s, p3)
	s = EndList(s, p2)
	s = EndList(s, p0)
	if !bytes.Equal(s, three) {
		t.Errorf("three: %x", s)
	}
	wantLorem := append([]byte{0xb8, 0x38}, lorem...)
	if got := AppendString(nil, lorem); !bytes.Equal(got, wantLorem) {
		t.Errorf("lorem: %x", got)
	}
	if StringSize(lorem) != len(wantLorem) || BytesSize([]byte(lorem)) != len(wantLorem) {
		t.Errorf("lorem size")
	}

	// And back.
	if c, rest, err := SplitString([]byte{0x83, 'd', 'o', 'g'}); err != nil || string(c) != "dog" || len(rest) != 0 {
		t.Errorf("decode dog: %q %v", c, err)
	}
	d, err := OpenList([]byte{0xc8, 0x83, 'c', 'a', 't', 0x83, 'd', 'o', 'g'})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := string(d.Bytes()), string(d.Bytes()); a != "cat" || b != "dog" || d.Finish() != nil {
		t.Errorf("decode [cat dog]: %q %q %v", a, b, d.Finish())
	}
	if c, _, err := SplitString(wantLorem); err != nil || string(c) != lorem {
		t.Errorf("decode lorem: %v", err)
	}
	if v, _, err := SplitUint64([]byte{0x82, 0x04, 0x00}); err != nil || v != 1024 {
		t.Errorf("decode 1024: %d %v", v, err)
	}
	if v, _, err := SplitUint64([]byte{0x80}); err != nil || v != 0 {
		t.Errorf("decode 0: %d %v", v, err)
	}
	if v, _, err := SplitUint64([]byte{0x0f}); err != nil || v != 15 {
		t.Errorf("decode 15: %d %v", v, err)
	}
	if err := reencodeAll(three); err != nil {
		t.Errorf("three round trip: %v", err)
	}
	d, _ = OpenList(three)
	a := d.List()
	d.Close(&a)
	b := d.List()
	bb := b.List()
	b.Close(&bb)
	d.Close(&b)
	c := d.List()
	c.List()
	c.List()
	d.Close(&c)
	if err := d.Finish(); err != nil {
		t.Errorf("walk three: %v", err)
	}
}

func TestNonCanonical(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty input", "", ErrUnexpectedEnd},
		{"single byte wrapped", "8100", ErrNonCanonicalByte},
		{"single byte 7f wrapped", "817f", ErrNonCanonicalByte},
		{"long string form for short string", "b803616263", ErrNonCanonicalSize},
		{"long string form size 55", "b837" + strings.Repeat("61", 55), ErrNonCanonicalSize},
		{"long list form for short list", "f80180", ErrNonCanonicalSize},
		{"string size leading zero", "b90038" + strings.Repeat("61", 56), ErrNonCanonicalSize},
		{"list size leading zero", "f90038" + strings.Repeat("80", 56), ErrNonCanonicalSize},
		{"string exceeds input", "83616263ff"[:6], ErrUnexpectedEnd},
		{"list exceeds input", "c3808080"[:6], ErrUnexpectedEnd},
		{"long size exceeds input", "b8ff61", ErrUnexpectedEnd},
		{"huge size", "bfffffffffffffffff61", ErrUnexpectedEnd},
		{"huge list size", "ffffffffffffffffff80", ErrUnexpectedEnd},
		{"size bytes missing", "b9", ErrUnexpectedEnd},
		{"size bytes truncated", "ba0100", ErrUnexpectedEnd},
		{"header only", "81", ErrUnexpectedEnd},
		{"trailing bytes", "8361626300", ErrTrailingBytes},
		{"trailing after list", "c0c0", ErrTrailingBytes},
		{"trailing after byte", "0101", ErrTrailingBytes},
		{"nested wrapped byte", "c28100", ErrNonCanonicalByte},
		{"nested exceeds list", "c4c3836162", ErrUnexpectedEnd},
	}
	for _, c := range cases {
		_, _, err := Unwrap(unhex(t, c.in))
		if err == nil {
			// Unwrap checks only the top level; walk the whole tree too.
			err = reencodeAll(unhex(t, c.in))
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}

	ints := []struct {
		name string
		in   string
		want error
	}{
		{"zero as byte 00", "00", ErrNonCanonicalInt},
		{"leading zero", "820001", ErrNonCanonicalInt},
		{"leading zero 2", "83000100", ErrNonCanonicalInt},
		{"too big for uint64", "89010000000000000000", ErrUint64Range},
		{"list as int", "c0", ErrExpectedString},
	}
	for _, c := range ints {
		if _, _, err := SplitUint64(unhex(t, c.in)); !errors.Is(err, c.want) {
			t.Errorf("uint64 %s: got %v, want %v", c.name, err, c.want)
		}
	}
	var z uint256.Int
	if _, err := SplitUint256(unhex(t, "a1"+"01"+strings.Repeat("00", 32)), &z); !errors.Is(err, ErrUint256Range) {
		t.Errorf("uint256 range: %v", err)
	}
	if _, err := SplitUint256(unhex(t, "a0"+"00"+strings.Repeat("ff", 31)), &z); !errors.Is(err, ErrNonCanonicalInt) {
		t.Errorf("uint256 leading zero: %v", err)
	}
	if _, err := SplitUint256(unhex(t, "00"), &z); !errors.Is(err, ErrNonCanonicalInt) {
		t.Errorf("uint256 zero byte: %v", err)
	}
}

func TestDecoderErrors(t *testing.T) {
	// Too few and too many items.
	d, err := OpenList(unhex(t, "c20102"))
	if err != nil {
		t.Fatal(err)
	}
	d.Uint64()
	if err := d.Finish(); !errors.Is(err, ErrTooManyItems) {
		t.Errorf("too many: %v", err)
	}
	d.Uint64()
	d.Uint64()
	if err := d.Finish(); !errors.Is(err, ErrTooFewItems) {
		t.Errorf("too few: %v", err)
	}
	// Errors stick and reads after them return zero values.
	d, _ = OpenList(unhex(t, "c4c0820001"))
	if d.Uint64() != 0 || !errors.Is(d.Err(), ErrExpectedString) {
		t.Errorf("list as uint: %v", d.Err())
	}
	if d.Bytes() != nil || d.More() {
		t.Errorf("reads after an error")
	}
	// Nested errors reach the parent through Close.
	d, _ = OpenList(unhex(t, "c4c3820001"))
	in := d.List()
	in.Uint64()
	d.Close(&in)
	if !errors.Is(d.Finish(), ErrNonCanonicalInt) {
		t.Errorf("nested: %v", d.Finish())
	}
	// FixedBytes length.
	d, _ = OpenList(unhex(t, "c3820102"))
	var b [3]byte
	d.FixedBytes(b[:])
	if !errors.Is(d.Err(), ErrWrongStringLength) {
		t.Errorf("fixed: %v", d.Err())
	}
	if _, err := OpenList(unhex(t, "80")); !errors.Is(err, ErrExpectedList) {
		t.Errorf("open string: %v", err)
	}
}

// TestUintsAgainstBig checks integer encoding and decoding against math/big.
func TestUintsAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(v *uint256.Int) {
		enc := AppendUint256(nil, v)
		if len(enc) != Uint256Size(v) {
			t.Fatalf("%v: size %d != %d", v, Uint256Size(v), len(enc))
		}
		want := AppendBytes(nil, v.ToBig().Bytes()) // big.Int.Bytes is minimal big-endian
		if !bytes.Equal(enc, want) {
			t.Fatalf("%v: %x != %x", v, enc, want)
		}
		var z uint256.Int
		rest, err := SplitUint256(enc, &z)
		if err != nil || len(rest) != 0 || !z.Eq(v) {
			t.Fatalf("%v: decoded %v %v", v, &z, err)
		}
		if v.IsUint64() {
			e := AppendUint64(nil, v.Uint64())
			if !bytes.Equal(e, enc) || Uint64Size(v.Uint64()) != len(e) {
				t.Fatalf("uint64 %v: %x", v, e)
			}
			u, _, err := SplitUint64(e)
			if err != nil || u != v.Uint64() {
				t.Fatalf("uint64 %v: decoded %d %v", v, u, err)
			}
		}
	}
	for bitsN := 0; bitsN <= 256; bitsN++ {
		for range 8 {
			var buf [32]byte
			for i := range buf {
				buf[i] = byte(r.Uint32())
			}
			x := new(big.Int).SetBytes(buf[:])
			x.Rsh(x, uint(256-bitsN))
			v, _ := uint256.FromBig(x)
			check(v)
		}
		if bitsN > 0 {
			x := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bitsN)), big.NewInt(1))
			v, _ := uint256.FromBig(x)
			check(v)
			v, _ = uint256.FromBig(new(big.Int).Lsh(big.NewInt(1), uint(bitsN-1)))
			check(v)
		}
	}
}

func TestLongItems(t *testing.T) {
	for _, n := range []int{0, 1, 55, 56, 255, 256, 65535, 65536, 1 << 20} {
		payload := bytes.Repeat([]byte{0xab}, n)
		enc := AppendBytes(nil, payload)
		if len(enc) != BytesSize(payload) {
			t.Fatalf("n=%d: size", n)
		}
		c, rest, err := SplitString(enc)
		if err != nil || len(rest) != 0 || !bytes.Equal(c, payload) {
			t.Fatalf("n=%d: %v", n, err)
		}
		// A list of n bytes of 0x01 items, written both ways.
		ones := bytes.Repeat([]byte{0x01}, n)
		l1 := append(AppendListHeader(nil, n), ones...)
		l2, p := StartList([]byte{0x99})
		l2 = append(l2, ones...)
		l2 = EndList(l2, p)
		if !bytes.Equal(l1, l2[1:]) || len(l1) != ListSize(n) {
			t.Fatalf("n=%d: list forms differ", n)
		}
		d, err := OpenList(l1)
		if err != nil || d.Count() != n {
			t.Fatalf("n=%d: count %v", n, err)
		}
	}
}

// reencodeAll decodes b as one item tree and checks that encoding it again
// gives b back; it returns the decoding error if any.
func reencodeAll(b []byte) error {
	out, err := reencode(nil, b, true)
	if err != nil {
		return err
	}
	if !bytes.Equal(out, b) {
		return errors.New("re-encoding differs")
	}
	return nil
}

func reencode(dst, b []byte, top bool) ([]byte, error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, err
	}
	if top && len(rest) != 0 {
		return nil, ErrTrailingBytes
	}
	if k == String {
		return AppendBytes(dst, content), nil
	}
	dst, start := StartList(dst)
	for len(content) > 0 {
		item, r, err := SplitRaw(content)
		if err != nil {
			return nil, err
		}
		if dst, err = reencode(dst, item, false); err != nil {
			return nil, err
		}
		content = r
	}
	return EndList(dst, start), nil
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"83646f67", "c88363617483646f67", "80", "c0", "00", "0f", "820400",
		"c7c0c1c0c3c0c1c0", "b838" + hex.EncodeToString([]byte(lorem)), "8100", "b90038", "f80180"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := reencode(nil, b, true)
		if err != nil {
			return
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip: %x -> %x", b, out)
		}
	})
}

func FuzzIntegers(f *testing.F) {
	f.Add([]byte{0x80})
	f.Add([]byte{0x82, 0x04, 0x00})
	f.Add([]byte{0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, rest, err := SplitUint64(b); err == nil {
			if enc := AppendUint64(nil, v); !bytes.Equal(enc, b[:len(b)-len(rest)]) {
				t.Fatalf("uint64 %x -> %x", b, enc)
			}
		}
		var z uint256.Int
		if rest, err := SplitUint256(b, &z); err == nil {
			if enc := AppendUint256(nil, &z); !bytes.Equal(enc, b[:len(b)-len(rest)]) {
				t.Fatalf("uint256 %x -> %x", b, enc)
			}
		}
	})
}

var sink []byte

func BenchmarkEncodeTxLike(b *testing.B) {
	// Roughly an EIP-1559 transaction: nine integers and addresses and some data.
	var v uint256.Int
	v.SetFromDecimal("1000000000000000000")
	to := bytes.Repeat([]byte{0x11}, 20)
	data := bytes.Repeat([]byte{0x22}, 68)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst, start := StartList(buf[:0])
		dst = AppendUint64(dst, 1)
		dst = AppendUint64(dst, 1234)
		dst = AppendUint64(dst, 2_000_000_000)
		dst = AppendUint64(dst, 30_000_000_000)
		dst = AppendUint64(dst, 21000)
		dst = AppendBytes(dst, to)
		dst = AppendUint256(dst, &v)
		dst = AppendBytes(dst, data)
		dst = AppendListHeader(dst, 0)
		dst = EndList(dst, start)
		sink = dst
	}
}

func BenchmarkDecodeTxLike(b *testing.B) {
	var v uint256.Int
	v.SetFromDecimal("1000000000000000000")
	dst, start := StartList(nil)
	dst = AppendUint64(dst, 1)
	dst = AppendUint64(dst, 1234)
	dst = AppendUint256(dst, &v)
	dst = AppendBytes(dst, bytes.Repeat([]byte{0x22}, 68))
	dst = AppendListHeader(dst, 0)
	enc := EndList(dst, start)
	b.ReportAllocs()
	for b.Loop() {
		d, err := OpenList(enc)
		if err != nil {
			b.Fatal(err)
		}
		d.Uint64()
		d.Uint64()
		var z uint256.Int
		d.Uint256(&z)
		sink = d.Bytes()
		l := d.List()
		d.Close(&l)
		if d.Finish() != nil {
			b.Fatal(d.Finish())
		}
	}
}
