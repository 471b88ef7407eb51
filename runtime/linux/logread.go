package linux

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// LogOptions choose what Logs reads of a container's log.
type LogOptions struct {
	// Follow keeps reading what the container writes, across restarts,
	// until the container is removed or ctx ends.
	Follow bool
	// Tail, when zero or more, starts that many entries before the end;
	// negative means from the beginning.
	Tail int
	// Since and Until, when set, keep the entries written in between.
	Since, Until time.Time
	// Idle, if not nil, is called while following each time everything
	// written so far has been read.
	Idle func()
}

// Logs calls fn with each entry of the container's log, oldest first, as
// o chooses. It returns fn's first error, ctx's error if ctx ends while
// following, or nil once there is nothing more to read.
func (e *Engine) Logs(ctx context.Context, ref string, o LogOptions, fn func(LogEntry) error) error {
	id, err := e.resolve(ref)
	if err != nil {
		return err
	}
	path := e.o.Paths.logFile(id)
	gone := func() bool {
		_, err := os.Stat(e.o.Paths.configFile(id))
		return errors.Is(err, os.ErrNotExist)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	f, err := os.Open(path)
	for errors.Is(err, os.ErrNotExist) && o.Follow && !gone() { // never started yet
		unix.InotifyAddWatch(fd, e.o.Paths.container(id), unix.IN_CREATE)
		if err := pollWait(ctx, fd, buf, 200*time.Millisecond); err != nil {
			return err
		}
		f, err = os.Open(path)
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if o.Tail >= 0 {
		off, err := tailOffset(f, o.Tail)
		if err != nil {
			return err
		}
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return err
		}
	}
	if o.Follow {
		unix.InotifyAddWatch(fd, path, unix.IN_MODIFY)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	var partial []byte
	draining := false
	for {
		line, err := r.ReadBytes('\n')
		if err == nil {
			line = append(partial, line...)
			partial = nil
			var entry LogEntry
			if json.Unmarshal(line, &entry) != nil {
				continue
			}
			switch {
			case !o.Until.IsZero() && entry.Time.After(o.Until):
				return nil
			case !o.Since.IsZero() && entry.Time.Before(o.Since):
				continue
			}
			if err := fn(entry); err != nil {
				return err
			}
			continue
		}
		if err != io.EOF {
			return err
		}
		partial = append(partial, line...)
		if !o.Follow || (!o.Until.IsZero() && time.Now().After(o.Until)) {
			return nil
		}
		if draining {
			return nil
		}
		if gone() {
			draining = true // read what it wrote before it went, then stop
			continue
		}
		if o.Idle != nil {
			o.Idle()
		}
		if err := pollWait(ctx, fd, buf, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// tailOffset returns where the last n lines of f begin.
func tailOffset(f *os.File, n int) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	end := fi.Size()
	if n == 0 {
		return end, nil
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	count := 0
	for pos := end; pos > 0; {
		size := min(int64(chunk), pos)
		pos -= size
		if _, err := f.ReadAt(buf[:size], pos); err != nil && err != io.EOF {
			return 0, err
		}
		b := buf[:size]
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' || pos+int64(i) == end-1 {
				continue // the last line's own newline does not count
			}
			if count++; count == n {
				return pos + int64(i) + 1, nil
			}
		}
	}
	return 0, nil
}
