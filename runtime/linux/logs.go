package linux

import (
	"bufio"
	"encoding/json"
	"io"
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

// copy logs r line by line as stream until r ends.
func (l *logWriter) copy(r io.Reader, stream string, done *sync.WaitGroup) {
	defer done.Done()
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			l.write(LogEntry{Log: string(line), Stream: stream, Time: time.Now().UTC()})
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
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
