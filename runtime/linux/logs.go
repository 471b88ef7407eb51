package linux

import (
	"bytes"
	"os"
	"slices"
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
// Logging allocates nothing once the buffers have grown to a stream's
// longest line (see appendLogEntry).
type logWriter struct {
	mu  sync.Mutex
	f   *os.File
	out []byte // the entry being written, under mu
}

func openLog(path string) (*logWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &logWriter{f: f}, nil
}

// logRead is how much a stream's copy reads at a time.
const logRead = 4 << 10

// copy logs r line by line as stream until r ends, and hands every chunk
// as it comes to tee (the attached clients).
func (l *logWriter) copy(r *os.File, stream string, done *sync.WaitGroup, tee func(string, []byte)) {
	defer done.Done()
	// A service that never writes to a stream costs it no buffer.
	awaitReadable(r)
	var buf []byte // read and not logged yet: the start of a line
	for {
		if cap(buf)-len(buf) < logRead {
			buf = slices.Grow(buf, logRead)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		if n > 0 {
			tee(stream, buf[len(buf):len(buf)+n])
			buf = buf[:len(buf)+n]
			rest := l.lines(buf, stream)
			buf = buf[:copy(buf, rest)]
		}
		if err != nil {
			if len(buf) > 0 {
				l.write(buf, stream)
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
		l.write(p[:i+1], stream)
		p = p[i+1:]
	}
}

func (l *logWriter) write(line []byte, stream string) {
	now := time.Now().UTC()
	l.mu.Lock()
	l.out = appendLogEntry(l.out[:0], line, stream, now)
	l.f.Write(l.out)
	l.mu.Unlock()
}

func (l *logWriter) close() { l.f.Close() }
