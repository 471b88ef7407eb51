package linux

import (
	"time"
	"unicode/utf8"
)

// appendLogEntry appends one line of a container's log as json.Marshal
// writes a LogEntry, and a newline. The monitor encodes every line of
// output so, into a buffer it reuses: json.Marshal allocates for each, and
// a heap that grows with a container's output makes its monitor collect,
// which costs it several times its idle memory for good.
func appendLogEntry(dst, line []byte, stream string, t time.Time) []byte {
	dst = append(dst, `{"log":`...)
	dst = appendJSONString(dst, line)
	dst = append(dst, `,"stream":`...)
	dst = appendJSONString(dst, []byte(stream))
	dst = append(dst, `,"time":"`...)
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, "\"}\n"...)
}

// appendJSONString appends s as a JSON string the way encoding/json
// writes one: '"' and '\' escaped, control characters as \n, \r, \t, \b,
// \f or \u00XX, '<', '>' and '&' as \u003c, \u003e and \u0026, U+2028 and
// U+2029 as \u2028 and \u2029, and each byte that is not UTF-8 as \ufffd.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	done := 0 // s[:done] is appended
	for i := 0; i < len(s); {
		c, size := rune(s[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRune(s[i:])
		}
		var esc []byte
		switch {
		case c == '"' || c == '\\':
			esc = []byte{'\\', byte(c)}
		case c == '\n':
			esc = []byte(`\n`)
		case c == '\r':
			esc = []byte(`\r`)
		case c == '\t':
			esc = []byte(`\t`)
		case c == '\b':
			esc = []byte(`\b`)
		case c == '\f':
			esc = []byte(`\f`)
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			esc = []byte{'\\', 'u', '0', '0', hex[c>>4], hex[c&0xf]}
		case c == utf8.RuneError && size == 1:
			esc = []byte(`\ufffd`)
		case c == '\u2028' || c == '\u2029':
			esc = []byte{'\\', 'u', '2', '0', '2', hex[c&0xf]}
		}
		if esc != nil {
			dst = append(dst, s[done:i]...)
			dst = append(dst, esc...)
			done = i + size
		}
		i += size
	}
	dst = append(dst, s[done:]...)
	return append(dst, '"')
}
