package types

import (
	"encoding/json"
	"fmt"

	"github.com/plasmaxpl/engine/types/rlp"
)

// rlpPayloadSize returns the size of the payload of [address, [topics], data].
func (l *Log) rlpPayloadSize() int {
	return 21 + rlp.ListSize(33*len(l.Topics)) + rlp.BytesSize(l.Data)
}

// AppendRLP appends the consensus encoding rlp([address, [topics...], data]).
func (l *Log) AppendRLP(dst []byte) []byte {
	dst = rlp.AppendListHeader(dst, l.rlpPayloadSize())
	dst = rlp.AppendBytes(dst, l.Address[:])
	dst = rlp.AppendListHeader(dst, 33*len(l.Topics))
	for i := range l.Topics {
		dst = rlp.AppendBytes(dst, l.Topics[i][:])
	}
	return rlp.AppendBytes(dst, l.Data)
}

// logsPayloadSize returns the payload size of the list of logs.
func logsPayloadSize(logs []*Log) int {
	n := 0
	for _, l := range logs {
		n += rlp.ListSize(l.rlpPayloadSize())
	}
	return n
}

// AppendLogsRLP appends the encoding of a list of logs.
func AppendLogsRLP(dst []byte, logs []*Log) []byte {
	dst = rlp.AppendListHeader(dst, logsPayloadSize(logs))
	for _, l := range logs {
		dst = l.AppendRLP(dst)
	}
	return dst
}

// LogsHash returns keccak256(rlp(logs)) over their consensus fields, the
// "logs" value of state tests. With no logs it is keccak256(0xc0).
func LogsHash(logs []*Log) Hash {
	bp := encBufPool.Get().(*[]byte)
	*bp = AppendLogsRLP((*bp)[:0], logs)
	h := Keccak256(*bp)
	encBufPool.Put(bp)
	return h
}

// decodeLogs reads a list of logs; their byte fields alias the input.
func decodeLogs(d *rlp.Decoder) []*Log {
	l := d.List()
	n := l.Count()
	logs := make([]*Log, n)
	backing := make([]Log, n)
	for i := range logs {
		lg := &backing[i]
		e := l.List()
		e.FixedBytes(lg.Address[:])
		tl := e.List()
		if k := tl.Count(); k > 0 {
			lg.Topics = make([]Hash, k)
			for j := range lg.Topics {
				tl.FixedBytes(lg.Topics[j][:])
			}
		} else {
			lg.Topics = []Hash{}
		}
		e.Close(&tl)
		lg.Data = exact(e.Bytes())
		l.Close(&e)
		logs[i] = lg
	}
	d.Close(&l)
	return logs
}

// logJSON is the JSON-RPC log object.
type logJSON struct {
	Address     string   `json:"address"`
	Topics      []string `json:"topics"`
	Data        string   `json:"data"`
	BlockNumber string   `json:"blockNumber"`
	TxHash      string   `json:"transactionHash"`
	TxIndex     string   `json:"transactionIndex"`
	BlockHash   string   `json:"blockHash"`
	Index       string   `json:"logIndex"`
	Removed     bool     `json:"removed"`
}

// MarshalJSON writes the JSON-RPC log object.
func (l *Log) MarshalJSON() ([]byte, error) {
	j := logJSON{
		Address:     l.Address.Hex(),
		Topics:      make([]string, len(l.Topics)),
		Data:        hexBytes(l.Data),
		BlockNumber: hexUint64(l.BlockNumber),
		TxHash:      l.TxHash.Hex(),
		TxIndex:     hexUint64(uint64(l.TxIndex)),
		BlockHash:   l.BlockHash.Hex(),
		Index:       hexUint64(uint64(l.Index)),
	}
	for i := range l.Topics {
		j.Topics[i] = l.Topics[i].Hex()
	}
	return json.Marshal(&j)
}

// UnmarshalJSON reads the JSON-RPC log object (location fields optional).
func (l *Log) UnmarshalJSON(b []byte) error {
	var j struct {
		Address     string    `json:"address"`
		Topics      []string  `json:"topics"`
		Data        string    `json:"data"`
		BlockNumber *quantity `json:"blockNumber"`
		TxHash      string    `json:"transactionHash"`
		TxIndex     *quantity `json:"transactionIndex"`
		BlockHash   string    `json:"blockHash"`
		Index       *quantity `json:"logIndex"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = Log{}
	if err := parseFixed(j.Address, l.Address[:]); err != nil {
		return fmt.Errorf("log address: %w", err)
	}
	l.Topics = make([]Hash, len(j.Topics))
	for i, s := range j.Topics {
		if err := parseFixed(s, l.Topics[i][:]); err != nil {
			return fmt.Errorf("log topic: %w", err)
		}
	}
	var err error
	if l.Data, err = DecodeHex(j.Data); err != nil {
		return fmt.Errorf("log data: %w", err)
	}
	if j.BlockNumber != nil {
		if l.BlockNumber, err = j.BlockNumber.uint64("blockNumber"); err != nil {
			return err
		}
	}
	if j.TxIndex != nil {
		v, err := j.TxIndex.uint64("transactionIndex")
		if err != nil {
			return err
		}
		l.TxIndex = uint(v)
	}
	if j.Index != nil {
		v, err := j.Index.uint64("logIndex")
		if err != nil {
			return err
		}
		l.Index = uint(v)
	}
	if j.TxHash != "" {
		if err := parseFixed(j.TxHash, l.TxHash[:]); err != nil {
			return err
		}
	}
	if j.BlockHash != "" {
		if err := parseFixed(j.BlockHash, l.BlockHash[:]); err != nil {
			return err
		}
	}
	return nil
}
