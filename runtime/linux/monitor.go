package linux

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/internal/fault"
	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime"
)

// monitor is the parent of one container: it starts init, records the
// container's state and logs, applies the restart policy, runs the
// healthcheck and obeys stop, kill, pause and unpause from its socket.
type monitor struct {
	paths Paths
	id    string
	rec   record
	cg    *cgroup
	log   *logWriter

	mu      sync.Mutex
	st      status
	pid     int           // init's pid while it runs
	exited  chan struct{} // closed when the current run's end is recorded
	gone    chan struct{} // closed when the current init is reaped: the run's processes are all gone
	ready   chan struct{} // closed when the current init forwards signals
	sync    *os.File      // the current init's sync socket, till then
	stopped bool          // a user stopped or killed it: no restart
	wake    chan struct{} // interrupts the restart backoff
	nm      *network.Manager
	mounts  *os.File     // the last run's mount namespace, held (holdMounts)
	ln      net.Listener // the control socket, once the first init runs
	hub     *hub         // the current run's attach point
	// waiting are connections of callers that wait for this monitor to
	// let go of its lock (an early stop's: Engine.StopToRemove); done,
	// that it has.
	waiting []net.Conn
	done    bool

	initRaw json.RawMessage // init's configuration as the record has it
	execState
}

// monitorMain is the monitor process: args are the lib and run directories
// and the container id; fd 3 is the pipe Start waits on for the outcome of
// the first start.
func monitorMain(args []string) {
	debug.SetGCPercent(50) // a long-lived, mostly idle process: stay small
	// Init is forked from this goroutine, on the main thread, which lives
	// as long as the monitor (see forkOnLastingThread); Reexec's init
	// locked it already.
	goruntime.LockOSThread()
	handshake := os.NewFile(3, "handshake")
	if len(args) != 3 {
		fmt.Fprintln(handshake, `{"Error":"monitor: bad arguments"}`)
		os.Exit(2)
	}
	m := &monitor{paths: Paths{Lib: args[0], Run: args[1]}, id: args[2], wake: make(chan struct{}, 1)}
	err := m.run(handshake)
	if err != nil {
		json.NewEncoder(handshake).Encode(reply{Error: err.Error()})
		os.Exit(1)
	}
}

func (m *monitor) run(handshake *os.File) error {
	if err := os.MkdirAll(m.paths.runDir(m.id), 0o700); err != nil {
		return err
	}
	lock, ok, err := lockMonitorAfter(m.paths.lockFile(m.id), 5*time.Second, func() bool {
		var st status
		return atomicfile.ReadJSON(m.paths.stateFile(m.id), &st) == nil && !st.Running()
	})
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("it already has a monitor")
	}
	defer func() {
		lock.Close() // others see this monitor gone: all that matters is done
		m.leave()
		// Last: letting go of the container's mounts and closing the network
		// manager may wait some milliseconds on the kernel, while nothing
		// waits on them.
		m.holdMounts(0)
		if m.nm != nil {
			m.nm.Close()
		}
	}()
	if err := m.loadRecord(); err != nil {
		return err
	}
	if err := atomicfile.ReadJSON(m.paths.stateFile(m.id), &m.st); err != nil {
		return err
	}
	// The engine makes the cgroup, with its limits, while this monitor
	// starts up; from here on it is the monitor's, to remove at the end.
	if err := awaitCgroup(os.NewFile(4, "cgroup")); err != nil {
		return err
	}
	if m.cg = loadCgroup(m.id); m.cg == nil {
		return errors.New("its cgroup is missing: the engine makes it as the monitor starts")
	}
	defer m.cg.delete()
	fault.Point("start.after-cgroup", os.Getppid())
	// The log and the control socket are opened while the first init
	// starts (openEnds).
	defer func() {
		if m.ln != nil {
			m.ln.Close()
		}
		if m.log != nil {
			m.log.close()
		}
	}()

	m.st.Stopped = false
	m.st.Error = ""
	if err := m.startOnce(); err != nil {
		m.setState(func(s *status) {
			s.Status, s.ExitCode, s.Error, s.Pid, s.Monitor = runtime.StatusCreated, 127, err.Error(), 0, 0
		})
		return err
	}
	// Start returns: the container runs. It says so: a monitor that dies
	// before then closes the pipe saying nothing.
	json.NewEncoder(handshake).Encode(reply{})
	handshake.Close()
	m.handOver()
	m.supervise()
	return nil
}

// closeWhenDone closes conn once this monitor has let go of its lock, and
// reports whether it will; false: it has already.
func (m *monitor) closeWhenDone(conn net.Conn) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done {
		return false
	}
	m.waiting = append(m.waiting, conn)
	return true
}

// leave tells those waiting that this monitor has let go of its lock.
func (m *monitor) leave() {
	m.mu.Lock()
	m.done = true
	waiting := m.waiting
	m.waiting = nil
	m.mu.Unlock()
	for _, c := range waiting {
		c.Close()
	}
}

// supervise waits for each run of the container to end and restarts it as
// its policy says, until it stays stopped.
func (m *monitor) supervise() {
	backoff := time.Duration(0)
	for {
		m.mu.Lock()
		exited := m.exited
		m.mu.Unlock()
		<-exited
		m.mu.Lock()
		st := m.st
		m.mu.Unlock()
		if st.Status != runtime.StatusRestarting {
			return
		}
		backoff = nextBackoff(backoff, st.FinishedAt.Sub(st.StartedAt))
		select {
		case <-time.After(backoff):
		case <-m.wake:
		}
		m.mu.Lock()
		stopped := m.stopped
		m.mu.Unlock()
		if stopped {
			m.setState(func(s *status) { s.Status = runtime.StatusExited })
			return
		}
		m.setState(func(s *status) { s.RestartCount++ })
		if err := m.startOnce(); err != nil {
			m.setState(func(s *status) { s.Status, s.ExitCode, s.Error = runtime.StatusExited, 127, err.Error() })
			return
		}
		m.handOver()
	}
}

// handOver lets the current init exec into the lean init, once the start
// is answered.
func (m *monitor) handOver() {
	m.mu.Lock()
	f := m.sync
	m.sync = nil
	m.mu.Unlock()
	if f != nil {
		f.Write([]byte{'h'})
	}
}

// shouldRestart applies the restart policy to a run that ended with st;
// the caller holds m.mu.
func (m *monitor) shouldRestart(st status, stopped bool) bool {
	if stopped {
		return false
	}
	switch p := m.rec.Spec.Restart; p.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return st.ExitCode != 0 && (p.MaxRetries == 0 || st.RestartCount < p.MaxRetries)
	}
	return false
}

// setState changes the state and writes it out.
func (m *monitor) setState(f func(*status)) { m.setStateAhead(nil, f) }

// startOnce starts init, hands it its config and waits until the service
// runs or fails to.
func (m *monitor) startOnce() error {
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	// The monitor's end waits through the poller, not on a thread of its
	// own: every thread a monitor ever blocks stays for its whole life.
	if err := unix.SetNonblock(sp[0], true); err != nil {
		unix.Close(sp[0])
		unix.Close(sp[1])
		return err
	}
	parent, child := os.NewFile(uintptr(sp[0]), "sync"), os.NewFile(uintptr(sp[1]), "sync")
	keep := false // the run's: closed once init forwards signals
	defer func() {
		if !keep {
			parent.Close()
		}
	}()
	spec := m.rec.Spec
	rio, err := newRunIO(spec.StdinOpen && !spec.Tty)
	if err != nil {
		child.Close()
		return err
	}
	outR, outW, errR, errW, inR := rio.outR, rio.outW, rio.errR, rio.errW, rio.inR
	h := newHub(rio.inW, spec.StdinOpen, spec.StdinOnce)
	ns, err := m.namespaces()
	if err != nil {
		child.Close()
		rio.close()
		return err
	}
	defer ns.close()
	cgfd, err := m.cg.v2fd() // cgroup v2: init is born in it
	if err != nil {
		ns.close()
		child.Close()
		rio.close()
		return err
	}
	if cgfd != nil {
		defer cgfd.Close()
	}
	oomBefore := m.cg.oomKills()
	var ep *endpoint // the run's networks, released when it ends
	runEnded := false
	exited, gone := make(chan struct{}), make(chan struct{})
	ready := make(chan struct{}) // closed once init forwards signals
	var copies sync.WaitGroup
	copies.Add(2)
	pid, err := forkOnLastingThread(ns.join, exited, func() (int, error) {
		return forkInit(ns.clone, cgfd, inR, outW, errW, child)
	})
	child.Close()
	outW.Close()
	errW.Close()
	if inR != nil {
		inR.Close()
	}
	if err != nil {
		outR.Close()
		errR.Close()
		h.end()
		close(gone)
		close(exited)
		return fmt.Errorf("start init: %w", err)
	}
	m.mu.Lock()
	m.pid, m.exited, m.gone, m.ready = pid, exited, gone, ready
	m.mu.Unlock()
	m.holdMounts(pid)
	go func() {
		ws, reaped := reapChild(pid)
		m.mu.Lock()
		runEnded = true
		m.pid = 0 // reaped: the number may be another process's by now
		released := ep
		ep = nil
		m.mu.Unlock()
		close(gone)
		// A stop that waits for gone (stopToRemove) answers now, before the
		// network and the record are done with: with one P it would
		// otherwise wait for all of that.
		goruntime.Gosched()
		released.release()
		copies.Wait() // every line logged before the exit is recorded
		h.end()
		m.recordExit(ws, reaped, oomBefore)
		close(exited)
		goruntime.Gosched() // and a stop waiting for exited, before the monitor's teardown
	}()
	fault.Point("start.after-netns", os.Getppid())
	m.mu.Lock()
	m.hub = h
	m.mu.Unlock()
	start := initStart{Reaper: os.Getenv(ReaperEnv), CgroupTasks: m.cg.tasksFiles()}
	if m.rec.Init.Init {
		start.OwnTasks = ownTasksFiles(start.CgroupTasks)
	}
	var r initReply
	dec := json.NewDecoder(parent)
	// abort kills init after err, unless init already said why it failed.
	abort := func(err error) error {
		unix.Kill(pid, unix.SIGKILL)
		<-exited
		if dec.Decode(&r) == nil && r.Error != "" {
			return errors.New(r.Error)
		}
		return err
	}
	// The root file system is made while init starts (see openOverlay);
	// without it init mounts it itself, and says why it cannot.
	root := m.rec.Init
	if root.Targets != "" {
		if _, err := os.Stat(root.Targets); err == nil {
			root.Lower = append([]string{root.Targets}, root.Lower...)
			start.Lower = root.Lower
		}
	}
	rootfs, err := openOverlay(&root)
	if err != nil {
		rootfs = nil
	}
	err = sendFd(parent, rootfs)
	if rootfs != nil {
		rootfs.Close()
	}
	if err == nil {
		err = writeInitMessage(parent, m.initRaw, start)
	}
	if err != nil {
		outR.Close()
		errR.Close()
		copies.Add(-2)
		return abort(err)
	}
	if err := m.openEnds(); err != nil {
		outR.Close()
		errR.Close()
		copies.Add(-2)
		return abort(err)
	}
	go m.log.copy(outR, "stdout", &copies, h.write)
	go m.log.copy(errR, "stderr", &copies, h.write)
	// Networks while init builds its root file system, too.
	attached, err := m.attach(context.Background(), pid)
	if err != nil {
		return abort(fmt.Errorf("attach networks: %w", err))
	}
	fault.Point("start.after-attach", os.Getppid())
	m.mu.Lock()
	if runEnded {
		attached.release() // init died meanwhile
	} else {
		ep = attached
	}
	m.mu.Unlock()
	if _, err := parent.Write([]byte{'g'}); err != nil {
		return abort(err)
	}
	// The running state is written and synced while init finishes, and
	// only put in place once init says the service runs.
	startedAt := time.Now().UTC()
	running := func(s *status) {
		s.Status, s.Pid, s.Monitor, s.StartedAt, s.ExitCode, s.OOMKilled = runtime.StatusRunning, pid, os.Getpid(), startedAt, 0, false
		s.Health, s.FailingCount = runtime.HealthNone, 0
		if m.healthcheck() != nil {
			s.Health = runtime.HealthStarting
		}
	}
	ahead := m.prepareState(running)
	defer ahead.abort() // unless it was put in place
	if m.rec.Init.Tty {
		// Init hands over the terminal's master; without it, what came is
		// the start of its error.
		master, data, err := recvFd(parent, "pty")
		if err != nil {
			return abort(err)
		}
		if master != nil {
			h.setTerminal(master)
			copies.Add(1)
			go func() {
				m.log.copy(master, "stdout", &copies, h.write)
				master.Close()
			}()
		}
		dec = json.NewDecoder(io.MultiReader(bytes.NewReader(data), parent))
	}
	if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
		return abort(err)
	}
	if r.Error != "" {
		<-exited
		return errors.New(r.Error)
	}
	// Init ends the socket once it forwards signals: at once when it stays
	// itself, as the lean init's first act otherwise. Till then a signal
	// could meet it between two programs, and be lost.
	keep = true
	m.mu.Lock()
	m.sync = parent
	m.mu.Unlock()
	go func() {
		var b [64]byte // init sends nothing more: it ends the socket
		for {
			if _, err := parent.Read(b[:]); err != nil {
				break
			}
		}
		parent.Close()
		close(ready)
	}()
	fault.Point("start.after-mounts", os.Getppid())
	m.setStateAhead(ahead, func(s *status) {
		if runEnded {
			// The service has exited already and its end is recorded: a
			// "running" now would outlive it (and read as a dead monitor).
			if startedAt.Before(s.FinishedAt) {
				s.StartedAt = startedAt
			}
			return
		}
		running(s)
	})
	if hc := m.healthcheck(); hc != nil {
		go m.checkHealth(hc, pid, exited)
	}
	return nil
}

// recordExit writes the end of a run: exit code, OOM kill, time.
func (m *monitor) recordExit(ws unix.WaitStatus, reaped bool, oomBefore uint64) {
	code := 255
	if reaped {
		code = exitCode(ws)
	}
	oom := m.cg.oomKills() > oomBefore
	// One write says both how it ended and whether it comes back, so that
	// a waiter never mistakes a restarting container for a stopped one.
	m.setState(func(s *status) {
		s.Status, s.ExitCode, s.OOMKilled, s.Pid, s.FinishedAt = runtime.StatusExited, code, oom, 0, time.Now().UTC()
		if m.shouldRestart(*s, m.stopped) {
			s.Status = runtime.StatusRestarting
		}
	})
}

// holdMounts keeps the mount namespace of the run whose init is pid (0:
// none) and lets go of the one before. When init exits, the kernel tears
// its mount namespace down, some twenty mounts and an RCU grace period
// (2-6 ms measured), before the exit is reported: held, that happens when
// the namespace is let go of, at the next run or once the monitor has
// given up its lock, off the path of a stop.
func (m *monitor) holdMounts(pid int) {
	var f *os.File
	if pid > 0 {
		f, _ = os.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	}
	m.mu.Lock()
	old := m.mounts
	m.mounts = f
	m.mu.Unlock()
	if old != nil {
		old.Close()
	}
}
