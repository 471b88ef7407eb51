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
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stackorch/stack/internal/fault"
	"github.com/stackorch/stack/runtime"
)

// Start starts the container's monitor, which starts the container, and
// returns once the service runs or with why it could not start.
func (e *Engine) Start(ctx context.Context, ref string) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	if st.Status == runtime.StatusRunning || st.Status == runtime.StatusPaused || st.Status == runtime.StatusRestarting {
		return nil
	}
	// The last run's monitor may still be cleaning up after the exit.
	e.awaitMonitorExit(rec.ID)
	if err := e.startMonitor(rec); err != nil {
		e.dropCgroup(rec.ID)
		return fmt.Errorf("start container %q: %w", rec.Spec.Name, err)
	}
	return nil
}

// startMonitor starts the container's monitor, makes the container's
// cgroup while the monitor starts up, and waits for its word on the start.
func (e *Engine) startMonitor(rec *record) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	// The monitor reads on fd 4 that the cgroup is made (the pipe closes
	// with nothing said when it could not be).
	cgR, cgW, err := os.Pipe()
	if err != nil {
		w.Close()
		return err
	}
	defer cgW.Close()
	logf, err := os.OpenFile(filepath.Join(e.o.Paths.container(rec.ID), "monitor.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		w.Close()
		cgR.Close()
		return err
	}
	defer logf.Close()
	cmd := &exec.Cmd{
		Path:        e.o.Binary,
		Args:        []string{"stack", "monitor", e.o.Paths.Lib, e.o.Paths.Run, rec.ID},
		Env:         monitorEnv(e.o.Reaper),
		Stderr:      logf,
		ExtraFiles:  []*os.File{w, cgR},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	w.Close()
	cgR.Close()
	if err != nil {
		return err
	}
	// The monitor outlives this process; reap it if this one lives longer,
	// through the poller (reapChild): a wait blocked in the kernel keeps
	// this process's sysmon waking every few tens of microseconds, on the
	// CPUs the monitor and init start on.
	go func() {
		reapChild(cmd.Process.Pid)
		cmd.Process.Release()
	}()
	cgErr := e.makeCgroup(rec)
	if cgErr == nil {
		cgW.Write([]byte{'c'})
	}
	cgW.Close()
	out, _ := io.ReadAll(r) // closed by the monitor once the service runs
	if cgErr != nil {
		// The monitor never took the cgroup over: what was made of it
		// is the engine's to remove.
		if cg := loadCgroup(rec.ID); cg != nil {
			cg.delete()
		}
		return fmt.Errorf("create cgroup: %w", cgErr)
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return errMonitorDied
	}
	var rep reply
	if err := json.Unmarshal(out, &rep); err != nil {
		return fmt.Errorf("monitor: %s", bytes.TrimSpace(out))
	}
	if rep.Error != "" {
		return errors.New(rep.Error)
	}
	return nil
}

var errMonitorDied = errors.New("its monitor exited before the container started")

// Stop stops a running container: its stop signal, then SIGKILL after
// timeout (negative: the spec's grace period).
func (e *Engine) Stop(ctx context.Context, ref string, timeout time.Duration) error {
	return e.stop(ctx, ref, timeout, false)
}

// StopToRemove is Stop for a container that Remove is called on next: it
// returns once the container's processes are gone, while its monitor
// still releases its networks and records the exit, which Remove waits
// for. A dependency in a teardown stops that much sooner.
func (e *Engine) StopToRemove(ctx context.Context, ref string, timeout time.Duration) error {
	return e.stop(ctx, ref, timeout, true)
}

func (e *Engine) stop(ctx context.Context, ref string, timeout time.Duration, early bool) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	if !st.Running() {
		return nil
	}
	conn, err := e.exchange(ctx, rec.ID, request{Op: "stop", Timeout: timeout, Early: early})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !monitorAlive(e.o.Paths.lockFile(rec.ID)) {
			return nil // it died meanwhile, and the container with it
		}
		return fmt.Errorf("stop container %q: %w", rec.Spec.Name, err)
	}
	if early {
		// The monitor ends the connection once it lets go of its lock.
		if old, ok := e.halted.Swap(rec.ID, conn); ok {
			old.(net.Conn).Close()
		}
	} else {
		conn.Close()
	}
	return nil
}

// Kill sends sig to the container's main process.
func (e *Engine) Kill(ctx context.Context, ref string, sig syscall.Signal) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	if !st.Running() {
		return fmt.Errorf("kill container %q: %w", rec.Spec.Name, runtime.ErrNotRunning)
	}
	if err := e.call(ctx, rec.ID, request{Op: "kill", Signal: int(sig)}); err != nil {
		return fmt.Errorf("kill container %q: %w", rec.Spec.Name, err)
	}
	return nil
}

// Pause freezes every process of the container.
func (e *Engine) Pause(ctx context.Context, ref string) error { return e.freeze(ctx, ref, "pause") }

// Unpause thaws a paused container.
func (e *Engine) Unpause(ctx context.Context, ref string) error { return e.freeze(ctx, ref, "unpause") }

func (e *Engine) freeze(ctx context.Context, ref, op string) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	if !st.Running() {
		return fmt.Errorf("%s container %q: %w", op, rec.Spec.Name, runtime.ErrNotRunning)
	}
	if err := e.call(ctx, rec.ID, request{Op: op}); err != nil {
		return fmt.Errorf("%s container %q: %w", op, rec.Spec.Name, err)
	}
	return nil
}

// Remove deletes a container and everything it owns on disk. A running
// container is refused unless force, which kills it first.
func (e *Engine) Remove(ctx context.Context, ref string, force bool) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	// A container StopToRemove stopped may still read as running: its
	// monitor is recording the end, and ends the connection when done.
	halted, ok := e.halted.LoadAndDelete(rec.ID)
	if ok {
		awaitEnd(halted.(net.Conn), 5*time.Second)
	}
	if st.Running() && !ok {
		if !force {
			return fmt.Errorf("remove container %q: %w: stop it first or force", rec.Spec.Name, runtime.ErrRunning)
		}
		if err := e.Stop(ctx, rec.ID, 0); err != nil {
			return err
		}
	}
	e.awaitMonitorExit(rec.ID)
	// The name goes first: a container half removed is never listed, and
	// its name is free again (names.go).
	e.unclaim(rec.Spec.Name, rec.ID)
	if cg := loadCgroup(rec.ID); cg != nil {
		cg.delete() // its monitor was killed before it could
	}
	removeCgroupParents()
	os.RemoveAll(e.o.Paths.runDir(rec.ID))
	dir := e.o.Paths.container(rec.ID)
	trash := filepath.Join(e.o.Paths.containers(), trashPrefix+rec.ID)
	if err := os.Rename(dir, trash); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove container %q: %w", rec.Spec.Name, err)
	}
	e.mu.Lock()
	delete(e.records, rec.ID)
	e.mu.Unlock()
	if e.o.DeferRemoval {
		e.trash.Store(true)
		return nil
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove container %q: %w", rec.Spec.Name, err)
	}
	return nil
}

// awaitEnd waits up to timeout for the other end to close conn, through
// the poller, and closes it.
func awaitEnd(conn net.Conn, timeout time.Duration) {
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(timeout))
	io.Copy(io.Discard, conn)
}

// awaitMonitorExit waits a little (5 s at most) for the monitor of a
// container that has stopped to finish its cleanup and exit.
func (e *Engine) awaitMonitorExit(id string) {
	awaitUnlocked(e.o.Paths.lockFile(id), 5*time.Second)
}

// monitorEnv is a monitor's whole environment: one P (a monitor is mostly
// idle, and every P costs memory), the lean init, and the fault point a
// test armed.
func monitorEnv(reaper string) []string {
	env := []string{reexecEnv + "=monitor", "GOMAXPROCS=1"}
	if reaper != "" {
		env = append(env, ReaperEnv+"="+reaper)
	}
	if f := fault.Armed(); f != "" {
		env = append(env, fault.Env+"="+f)
	}
	return env
}
