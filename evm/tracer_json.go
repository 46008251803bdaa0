package evm

import (
	"encoding/hex"
	"io"
	"strconv"

	"github.com/holiman/uint256"
)

// jsonTracer writes EIP-3155 trace lines in go-ethereum's exact format:
// one object per step, and {"output","gasUsed"[,"error"]} at every frame exit.
type jsonTracer struct {
	w   io.Writer
	buf []byte
}

// NewJSONTracer returns a tracer that writes go-ethereum-compatible
// EIP-3155 JSON lines to w (memory and return data omitted, as go-ethereum
// does by default).
func NewJSONTracer(w io.Writer) Tracer {
	return &jsonTracer{w: w, buf: make([]byte, 0, 1024)}
}

func appendHexUint64(b []byte, v uint64) []byte {
	b = append(b, '"', '0', 'x')
	b = strconv.AppendUint(b, v, 16)
	return append(b, '"')
}

func (t *jsonTracer) OnStep(pc uint64, op byte, gas, cost uint64, memory []byte, stack []uint256.Int, returnData []byte, depth int, refund uint64, err error) {
	b := t.buf[:0]
	b = append(b, `{"pc":`...)
	b = strconv.AppendUint(b, pc, 10)
	b = append(b, `,"op":`...)
	b = strconv.AppendUint(b, uint64(op), 10)
	b = append(b, `,"gas":`...)
	b = appendHexUint64(b, gas)
	b = append(b, `,"gasCost":`...)
	b = appendHexUint64(b, cost)
	b = append(b, `,"memSize":`...)
	b = strconv.AppendInt(b, int64(len(memory)), 10)
	b = append(b, `,"stack":[`...)
	for i := range stack {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, stack[i].Hex()...)
		b = append(b, '"')
	}
	b = append(b, `],"depth":`...)
	b = strconv.AppendInt(b, int64(depth), 10)
	b = append(b, `,"refund":`...)
	b = strconv.AppendUint(b, refund, 10)
	b = append(b, `,"opName":`...)
	b = strconv.AppendQuote(b, OpCode(op).String())
	if err != nil {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, err.Error())
	}
	b = append(b, "}\n"...)
	t.buf = b
	t.w.Write(b)
}

func (t *jsonTracer) OnExit(depth int, output []byte, gasUsed uint64, err error) {
	b := t.buf[:0]
	b = append(b, `{"output":"`...)
	b = hex.AppendEncode(b, output)
	b = append(b, `","gasUsed":`...)
	b = appendHexUint64(b, gasUsed)
	if err != nil {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, err.Error())
	}
	b = append(b, "}\n"...)
	t.buf = b
	t.w.Write(b)
}

// appendJSONString quotes s as encoding/json does (with its HTML escaping
// of <, > and &, which go-ethereum's encoder keeps).
func appendJSONString(b []byte, s string) []byte {
	const hexdig = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hexdig[c>>4], hexdig[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
