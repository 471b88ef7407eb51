package linux

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// listen opens the monitor's socket. Binding through a descriptor of its
// directory keeps the path short whatever the root.
func (m *monitor) listen() (net.Listener, error) {
	dir, err := os.Open(m.paths.runDir(m.id))
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	sock := m.paths.sockFile(m.id)
	os.Remove(sock)
	// Not net.Listen, which reads the kernel's somaxconn for the backlog
	// into a 64 KB buffer that a monitor, which never collects, would keep.
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	f := os.NewFile(uintptr(fd), "monitor.sock")
	defer f.Close()
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: fmt.Sprintf("/proc/self/fd/%d/monitor.sock", dir.Fd())}); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return &unlinkListener{ln, sock}, nil
}

// openEnds opens the container's log and the monitor's control socket
// the first time; the monitor does it while its first init starts.
func (m *monitor) openEnds() error {
	if m.log == nil {
		l, err := openLog(m.paths.logFile(m.id))
		if err != nil {
			return err
		}
		m.log = l
	}
	if m.ln == nil {
		ln, err := m.listen()
		if err != nil {
			return err
		}
		m.ln = ln
		go m.serve(ln)
	}
	return nil
}

type unlinkListener struct {
	net.Listener
	path string
}

func (l *unlinkListener) Close() error {
	os.Remove(l.path)
	return l.Listener.Close()
}

func (m *monitor) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			keep := false
			defer func() {
				if !keep {
					conn.Close()
				}
			}()
			var req request
			dec := json.NewDecoder(conn)
			if err := dec.Decode(&req); err != nil {
				return
			}
			if req.Op == "attach" {
				// The request's own newline is not input.
				rest, _ := io.ReadAll(dec.Buffered())
				rest = bytes.TrimPrefix(rest, []byte{'\n'})
				m.attachClient(conn, io.MultiReader(bytes.NewReader(rest), conn), req.Stdin)
				return
			}
			var r reply
			if err := m.handle(req); err != nil {
				r.Error = err.Error()
			}
			json.NewEncoder(conn).Encode(r)
			if req.Op == "stop" && req.Early && r.Error == "" {
				// The caller removes the container next: the connection's end
				// tells it when this monitor is done (leave).
				keep = m.closeWhenDone(conn)
			}
		}()
	}
}

func (m *monitor) handle(req request) error {
	switch req.Op {
	case "stop":
		return m.stop(req.Timeout, req.Early)
	case "kill":
		return m.kill(syscall.Signal(req.Signal))
	case "pause":
		return m.pause(true)
	case "unpause":
		return m.pause(false)
	case "resize":
		m.mu.Lock()
		h := m.hub
		m.mu.Unlock()
		if h == nil {
			return runtime.ErrNotRunning
		}
		return h.resize(req.Rows, req.Cols)
	}
	return fmt.Errorf("unknown request %q", req.Op)
}

// stop sends the stop signal, waits up to timeout, then kills. It returns
// once the container has exited, its end recorded, and will not restart;
// early, once its processes are gone (Engine.StopToRemove).
func (m *monitor) stop(timeout time.Duration, early bool) error {
	m.mu.Lock()
	m.stopped = true
	pid, exited, gone, ready, paused := m.pid, m.exited, m.gone, m.ready, m.st.Status == runtime.StatusPaused
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	done := exited
	if early {
		done = gone
	}
	if pid == 0 {
		// Between runs (the backoff wakes and stays stopped), or a run just
		// reaped and on its way to being recorded.
		if done != nil {
			<-done
		}
		return nil
	}
	if timeout < 0 {
		timeout = m.rec.Spec.StopGracePeriod
		if timeout == 0 {
			timeout = 10 * time.Second
		}
	}
	awaitReady(ready, gone)
	unix.Kill(pid, stopSignal(m.rec.Spec.StopSignal, m.rec.Image.Config.StopSignal))
	if paused {
		m.cg.thaw() // a frozen process cannot act on the signal
	}
	select {
	case <-done:
	case <-time.After(timeout):
		unix.Kill(pid, unix.SIGKILL)
		<-done
	}
	return nil
}

func (m *monitor) kill(sig syscall.Signal) error {
	m.mu.Lock()
	pid, gone, ready := m.pid, m.gone, m.ready
	if sig == unix.SIGKILL || sig == stopSignal(m.rec.Spec.StopSignal, m.rec.Image.Config.StopSignal) {
		m.stopped = true
	}
	m.mu.Unlock()
	if pid == 0 {
		return runtime.ErrNotRunning
	}
	awaitReady(ready, gone)
	return unix.Kill(pid, sig)
}

// awaitReady waits until the run's init forwards signals, or is gone.
func awaitReady(ready, gone chan struct{}) {
	if ready == nil {
		return
	}
	select {
	case <-ready:
	case <-gone:
	}
}

func (m *monitor) pause(on bool) error {
	m.mu.Lock()
	running := m.pid != 0
	m.mu.Unlock()
	if !running {
		return runtime.ErrNotRunning
	}
	if on {
		if err := m.cg.freeze(); err != nil {
			return err
		}
		m.setState(func(s *status) { s.Status = runtime.StatusPaused })
		return nil
	}
	if err := m.cg.thaw(); err != nil {
		return err
	}
	m.setState(func(s *status) { s.Status = runtime.StatusRunning })
	return nil
}

// stopSignal is the service's stop signal, else the image's, else SIGTERM.
func stopSignal(names ...string) syscall.Signal {
	for _, n := range names {
		if s, ok := ParseSignal(n); ok {
			return s
		}
	}
	return unix.SIGTERM
}
