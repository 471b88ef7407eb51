package linux

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/stackorch/stack/runtime"
	"golang.org/x/sys/unix"
)

// An attached client gets the run's output as frames in Docker's attach
// format: a header of the stream (1 stdout, 2 stderr), three zero bytes
// and the length (big-endian uint32), then the bytes. What it writes to
// the connection goes to the service's stdin.
const frameHeader = 8

// maxEarly bounds the output a run with an open stdin keeps for its first
// attached client, so that `stack run` misses nothing written before it
// attached (docker attaches before it starts; stack's monitor starts the
// run, then the CLI attaches).
const maxEarly = 64 << 10

// firstAttachWait is how long the output of a `stack run` waits for its
// client once maxEarly is buffered.
const firstAttachWait = 10 * time.Second

// clientWriteTimeout drops a client that stops reading rather than stall
// the service's output for everyone.
const clientWriteTimeout = 10 * time.Second

// hub is one run's attach point: it fans the output out to attached
// clients and takes their input for the service's stdin.
type hub struct {
	mu        sync.Mutex
	clients   map[net.Conn]chan struct{} // closed when the client is dropped
	early     []byte                     // frames before the first attach
	keepEarly bool
	first     chan struct{} // closed when the first client attaches
	stdin     *os.File      // the stdin pipe's write end or the terminal's master; nil: none
	stdinOnce bool          // the first client's end of input closes stdin
	ended     bool
	frame     []byte // the frame being sent, reused
}

func newHub(stdin *os.File, open, once bool) *hub {
	return &hub{clients: map[net.Conn]chan struct{}{}, stdin: stdin, keepEarly: open, stdinOnce: once, first: make(chan struct{})}
}

// write sends one chunk of output to every client. It makes a frame only
// when a client, or the first one to come, wants it, in a buffer it reuses.
func (h *hub) write(stream string, p []byte) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.keepEarly && len(h.clients) == 0 {
		return
	}
	if h.keepEarly && len(h.early)+frameHeader+len(p) > maxEarly && h.stdinOnce {
		// stack run attaches in a moment: hold the service's output
		// (its writes block) rather than lose it, for a while.
		first := h.first
		h.mu.Unlock()
		select {
		case <-first:
		case <-time.After(firstAttachWait):
		}
		h.mu.Lock()
	}
	h.frame = append(h.frame[:0], 1, 0, 0, 0, 0, 0, 0, 0)
	if stream == "stderr" {
		h.frame[0] = 2
	}
	binary.BigEndian.PutUint32(h.frame[4:], uint32(len(p)))
	h.frame = append(h.frame, p...)
	frame := h.frame
	if h.keepEarly && len(h.early)+len(frame) <= maxEarly {
		h.early = append(h.early, frame...)
	}
	for c, gone := range h.clients {
		c.SetWriteDeadline(time.Now().Add(clientWriteTimeout))
		if _, err := c.Write(frame); err != nil {
			delete(h.clients, c)
			close(gone)
		}
	}
}

// setTerminal makes the terminal's master the run's stdin.
func (h *hub) setTerminal(master *os.File) {
	h.mu.Lock()
	h.stdin = master
	h.mu.Unlock()
}

// serve attaches conn until the run ends or the client goes; input is
// what the client sends after its request.
func (h *hub) serve(conn net.Conn, input io.Reader, wantStdin bool) {
	gone := make(chan struct{})
	h.mu.Lock()
	early := h.early
	if h.keepEarly {
		h.early, h.keepEarly = nil, false
		close(h.first)
	}
	if len(early) > 0 {
		conn.SetWriteDeadline(time.Now().Add(clientWriteTimeout))
		conn.Write(early)
	}
	if h.ended {
		h.mu.Unlock()
		return
	}
	h.clients[conn] = gone
	stdin := h.stdin
	h.mu.Unlock()
	if wantStdin && stdin != nil {
		go func() {
			io.Copy(stdin, input)
			if h.stdinOnce {
				h.closeStdin()
			}
		}()
	}
	<-gone
}

// closeStdin ends the service's input: it reads EOF. On a terminal, that
// is the end-of-file character.
func (h *hub) closeStdin() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stdin == nil {
		return
	}
	if isTerminal(h.stdin) {
		h.stdin.Write([]byte{4})
		return
	}
	h.stdin.Close()
	h.stdin = nil
}

// resize sets the terminal's window size.
func (h *hub) resize(rows, cols uint16) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stdin == nil || !isTerminal(h.stdin) {
		return nil
	}
	return unix.IoctlSetWinsize(int(h.stdin.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
}

// end closes every client's stream once the run's output is all sent.
func (h *hub) end() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ended = true
	for c, gone := range h.clients {
		if uc, ok := c.(*net.UnixConn); ok {
			uc.CloseWrite()
		}
		delete(h.clients, c)
		close(gone)
	}
	if h.stdin != nil && !isTerminal(h.stdin) {
		h.stdin.Close()
	}
	h.stdin = nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// runIO is a run's standard streams: pipes whose child ends go to init.
// stdin is a pipe only for a service that keeps it open without a
// terminal; otherwise init gets /dev/null (a terminal is init's to make).
type runIO struct {
	outR, outW, errR, errW *os.File
	inR, inW               *os.File
}

func newRunIO(stdin bool) (*runIO, error) {
	var r runIO
	var err error
	if r.outR, r.outW, err = os.Pipe(); err == nil {
		if r.errR, r.errW, err = os.Pipe(); err == nil && stdin {
			r.inR, r.inW, err = os.Pipe()
		}
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return &r, nil
}

func (r *runIO) close() {
	for _, f := range []*os.File{r.outR, r.outW, r.errR, r.errW, r.inR, r.inW} {
		if f != nil {
			f.Close()
		}
	}
}

// attachClient answers an attach request: an error if there was no run,
// else an empty reply and then the stream, until the run ends.
func (m *monitor) attachClient(conn net.Conn, input io.Reader, stdin bool) {
	m.mu.Lock()
	h := m.hub // a run that ended still gives what it kept for its first client
	m.mu.Unlock()
	if h == nil {
		json.NewEncoder(conn).Encode(reply{Error: runtime.ErrNotRunning.Error()})
		return
	}
	if json.NewEncoder(conn).Encode(reply{}) != nil {
		return
	}
	h.serve(conn, input, stdin)
}
