package linux

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogEntriesAreEncodedAsJSONMarshalEncodesThem(t *testing.T) {
	lines := []string{
		"", "hello\n", `a "quoted" \path\` + "\n", "tab\there\r\n", "\b\f\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "héllo wörld ✓ 😀\n", "\u2028\u2029", "bad \xff\xfe utf-8 \xe2\x82", "\xed\xa0\x80 surrogate",
	}
	rnd := rand.New(rand.NewSource(1))
	alphabet := []byte("ab\"\\<>&\n\t\x00\x1f\x7f\x80\xc3\xa9\xe2\x80\xa8\xff ")
	for range 2000 {
		b := make([]byte, rnd.Intn(24))
		for i := range b {
			b[i] = alphabet[rnd.Intn(len(alphabet))]
		}
		lines = append(lines, string(b))
	}
	times := []time.Time{
		time.Date(2026, 11, 25, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 11, 25, 3, 4, 5, 120000000, time.UTC),
		time.Date(2026, 11, 25, 3, 4, 5, 123456789, time.UTC),
	}
	var buf []byte
	for i, line := range lines {
		for _, stream := range []string{"stdout", "stderr"} {
			e := LogEntry{Log: line, Stream: stream, Time: times[i%len(times)]}
			want, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			buf = appendLogEntry(buf[:0], []byte(line), stream, e.Time)
			if string(buf) != string(want)+"\n" {
				t.Fatalf("%q:\n got %s want %s", line, buf, want)
			}
		}
	}
}

// A monitor never collects while its heap stays small: logging must not
// grow it line by line.
func TestLoggingALineAllocatesNothing(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := &logWriter{f: f}
	h := newHub(nil, false, false)
	chunk := []byte("a line of output <&> \"quoted\"\nand the start of the next")
	rest := l.lines(append([]byte(nil), chunk...), "stdout")
	if string(rest) != "and the start of the next" {
		t.Fatalf("rest %q", rest)
	}
	if n := testing.AllocsPerRun(100, func() {
		h.write("stdout", chunk)
		l.lines(chunk, "stdout")
	}); n != 0 {
		t.Errorf("%v allocations a line", n)
	}
}

func TestLogCutsLongLinesAndKeepsTheLastWithoutAnEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	l, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 2*maxLogLine+100)
	go func() {
		for _, s := range []string{"one\ntw", "o\n", long, "\n", "last"} {
			w.WriteString(s)
		}
		w.Close()
	}()
	var done sync.WaitGroup
	done.Add(1)
	var teed strings.Builder
	l.copy(r, "stderr", &done, func(stream string, p []byte) { teed.Write(p) })
	l.close()
	want := []string{"one\n", "two\n", long[:maxLogLine], long[maxLogLine : 2*maxLogLine], long[2*maxLogLine:] + "\n", "last"}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var e LogEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Stream != "stderr" {
			t.Fatalf("entry %q: %v", line, err)
		}
		got = append(got, e.Log)
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries of %d, %d, ... bytes, want %d, %d, ...", len(got), len(got[0]), len(want), len(want[0]))
	}
	if teed.String() != "one\ntwo\n"+long+"\nlast" {
		t.Errorf("attached clients got %d bytes", teed.Len())
	}
}
