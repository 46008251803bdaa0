package types

import (
	"fmt"
	"testing"
)

func TestHashAndAddressFormat(t *testing.T) {
	h := HexToHash("0x00000000000000000000000000000000000000000000000000000000000000ab")
	a := HexToAddress("0x00000000000000000000000000000000000000cd")
	cases := []struct{ got, want string }{
		{fmt.Sprintf("%x", h), "00000000000000000000000000000000000000000000000000000000000000ab"},
		{fmt.Sprintf("%#x", a), "0x00000000000000000000000000000000000000cd"},
		{fmt.Sprintf("%X", a), "00000000000000000000000000000000000000CD"},
		{fmt.Sprintf("%v", a), "0x00000000000000000000000000000000000000cd"},
		{fmt.Sprintf("%s", h), h.Hex()},
		{fmt.Sprintf("%q", a), `"0x00000000000000000000000000000000000000cd"`},
		{fmt.Sprint(h), h.Hex()},
		{fmt.Sprintf("%d", a), "%!d(types.Address=0x00000000000000000000000000000000000000cd)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func TestParseExact(t *testing.T) {
	if _, err := ParseAddressExact("0x1234"); err == nil {
		t.Error("short address accepted")
	}
	if _, err := ParseAddressExact("0x" + "00000000000000000000000000000000000000cd"); err != nil {
		t.Error(err)
	}
	if _, err := ParseHashExact("0x12"); err == nil {
		t.Error("short hash accepted")
	}
	if _, err := ParseHashExact("0x0" + "0000000000000000000000000000000000000000000000000000000000000ab"); err != nil {
		t.Error(err)
	}
	if _, err := ParseHashExact("0x" + "000000000000000000000000000000000000000000000000000000000000000ab"); err == nil {
		t.Error("65 hex digits accepted")
	}
}
