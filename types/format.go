package types

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Format makes %x print the address's bytes in hex (not the hex of its
// String form, which fmt would otherwise use), %v and %s print 0x-hex, and
// %q a quoted 0x-hex.
func (a Address) Format(s fmt.State, verb rune) { formatBytes(s, verb, a[:], "types.Address") }

// Format makes %x print the hash's bytes in hex, %v and %s print 0x-hex,
// and %q a quoted 0x-hex.
func (h Hash) Format(s fmt.State, verb rune) { formatBytes(s, verb, h[:], "types.Hash") }

func formatBytes(s fmt.State, verb rune, b []byte, name string) {
	switch verb {
	case 'x', 'X':
		out := hex.EncodeToString(b)
		if verb == 'X' {
			out = strings.ToUpper(out)
		}
		if s.Flag('#') {
			out = "0x" + out
		}
		fmt.Fprint(s, out)
	case 'v', 's':
		fmt.Fprint(s, "0x"+hex.EncodeToString(b))
	case 'q':
		fmt.Fprint(s, strconv.Quote("0x"+hex.EncodeToString(b)))
	default:
		fmt.Fprintf(s, "%%!%c(%s=0x%s)", verb, name, hex.EncodeToString(b))
	}
}
