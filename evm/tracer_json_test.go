package evm

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
)

// The first line of go-ethereum's cmd/evm/testdata/evmrun/8.out.2.txt, as
// quoted in the fixtures' FORMATS.md: the exact bytes we must produce.
const gethFirstLine = `{"pc":0,"op":96,"gas":"0xb4213","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}`

func traceCode(t *testing.T, code []byte, gas uint64) []string {
	t.Helper()
	var buf bytes.Buffer
	st := newFakeState()
	st.SetCode(testContract, code)
	e := newTestEVM(forks.Cancun, st)
	e.Config.Tracer = NewJSONTracer(&buf)
	e.Call(testCaller, testContract, nil, gas, new(uint256.Int))
	return strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
}

func TestJSONTracerFormat(t *testing.T) {
	lines := traceCode(t, asm("6002 6003 01 00"), 0xb4213)
	if lines[0] != gethFirstLine {
		t.Fatalf("got  %s\nwant %s", lines[0], gethFirstLine)
	}
	want := []string{
		gethFirstLine,
		`{"pc":2,"op":96,"gas":"0xb4210","gasCost":"0x3","memSize":0,"stack":["0x2"],"depth":1,"refund":0,"opName":"PUSH1"}`,
		`{"pc":4,"op":1,"gas":"0xb420d","gasCost":"0x3","memSize":0,"stack":["0x2","0x3"],"depth":1,"refund":0,"opName":"ADD"}`,
		`{"pc":5,"op":0,"gas":"0xb420a","gasCost":"0x0","memSize":0,"stack":["0x5"],"depth":1,"refund":0,"opName":"STOP"}`,
		`{"output":"","gasUsed":"0x9"}`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("invalid JSON %s: %v", l, err)
		}
	}
}

func TestJSONTracerErrors(t *testing.T) {
	// REVERT: the step, then the same step again with the error, then the exit.
	lines := traceCode(t, asm("6000 6000 fd"), 100)
	if n := len(lines); n != 5 {
		t.Fatalf("got %d lines:\n%s", n, strings.Join(lines, "\n"))
	}
	if !strings.HasSuffix(lines[3], `"opName":"REVERT","error":"execution reverted"}`) {
		t.Errorf("fault line: %s", lines[3])
	}
	if lines[4] != `{"output":"","gasUsed":"0x6","error":"execution reverted"}` {
		t.Errorf("exit line: %s", lines[4])
	}
	// Stack underflow is reported once, on the failing step.
	lines = traceCode(t, asm("01"), 100)
	if len(lines) != 2 || !strings.Contains(lines[0], `"error":"stack underflow (0 \u003c=\u003e 2)"`) {
		t.Errorf("underflow trace:\n%s", strings.Join(lines, "\n"))
	}
	if lines[1] != `{"output":"","gasUsed":"0x64","error":"stack underflow (0 \u003c=\u003e 2)"}` {
		t.Errorf("exit line: %s", lines[1])
	}
}

func TestJSONStringEscaping(t *testing.T) {
	for _, s := range []string{"plain", `q"uote\`, "a<b>&c", "ctl\x01\n\t"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
	if !errors.Is(stackUnderflow(0, 2), ErrStackUnderflow) {
		t.Fatal("wrapped underflow")
	}
}
