package linux

import (
	"bytes"
	"encoding/json"
	"os"
	"sync"
	"time"
)

// LogEntry is one line of a container's log, in Docker's json-file format.
type LogEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"` // stdout or stderr
	Time   time.Time `json:"time"`   // RFC3339Nano, UTC
}

// maxLogLine is where a line without a newline is cut, as Docker does.
const maxLogLine = 16 << 10

// logWriter appends entries to a container's log; the streams share it.
type logWriter struct {
	mu sync.Mutex
	f  *os.File
}

func openLog(path string) (*logWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &logWriter{f: f}, nil
}

// copy logs r line by line as stream until r ends, and hands every chunk
// as it comes to tee (the attached clients).
func (l *logWriter) copy(r *os.File, stream string, done *sync.WaitGroup, tee func(string, []byte)) {
	defer done.Done()
	// A service that never writes to a stream costs it no buffer.
	awaitReadable(r)
	buf := make([]byte, 4<<10)
	var line []byte
	for {
		n, err := r.Read(buf)
		if n > 0 {
			tee(stream, buf[:n])
			line = l.lines(append(line, buf[:n]...), stream)
		}
		if err != nil {
			if len(line) > 0 {
				l.write(LogEntry{Log: string(line), Stream: stream, Time: time.Now().UTC()})
			}
			return
		}
	}
}

// lines logs each complete line of p, and each maxLogLine of a line
// without an end, and returns the rest.
func (l *logWriter) lines(p []byte, stream string) []byte {
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 && len(p) < maxLogLine {
			return p
		}
		if i < 0 || i >= maxLogLine {
			i = maxLogLine - 1
		}
		l.write(LogEntry{Log: string(p[:i+1]), Stream: stream, Time: time.Now().UTC()})
		p = p[i+1:]
		if len(p) == 0 {
			return p[:0]
		}
	}
}

func (l *logWriter) write(e LogEntry) {
	data, _ := json.Marshal(e)
	data = append(data, '\n')
	l.mu.Lock()
	l.f.Write(data)
	l.mu.Unlock()
}

func (l *logWriter) close() { l.f.Close() }
