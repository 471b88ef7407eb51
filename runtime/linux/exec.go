package linux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// Process is a command to run in a running container.
type Process struct {
	Args       []string
	Env        []string // KEY=VALUE over the container's environment
	User       string   // empty: the container's user
	WorkingDir string   // empty: the container's working directory
	Privileged bool     // every capability the host grants
	Tty        bool
	Stdin      *os.File // nil: /dev/null
	Stdout     *os.File // nil: /dev/null
	Stderr     *os.File // nil: /dev/null
}

// Exec runs p in the container and returns its exit code once it exits.
func (e *Engine) Exec(ctx context.Context, ref string, p Process) (int, error) {
	rec, st, err := e.load(ref)
	if err != nil {
		return -1, err
	}
	if st.Status != runtime.StatusRunning || st.Pid == 0 {
		return -1, fmt.Errorf("exec in container %q: %w", rec.Spec.Name, runtime.ErrNotRunning)
	}
	pid, master, err := execIn(rec, st.Pid, p)
	if err != nil {
		return -1, fmt.Errorf("exec in container %q: %w", rec.Spec.Name, err)
	}
	if master == nil {
		return waitPid(ctx, pid)
	}
	done := pumpPTY(master, p.Stdin, p.Stdout)
	code, err := waitPid(ctx, pid)
	done()
	return code, err
}

// waitPid waits for pid, killing it if ctx ends first.
func waitPid(ctx context.Context, pid int) (int, error) {
	stop := context.AfterFunc(ctx, func() { unix.Kill(pid, unix.SIGKILL) })
	defer stop()
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, err
		}
		if ctx.Err() != nil {
			return exitCode(ws), ctx.Err()
		}
		return exitCode(ws), nil
	}
}

// execIn starts p inside the namespaces, cgroup, root and credentials of
// the container whose init is initPid. Joining a mount namespace needs a
// thread with its own file system context, so a locked thread unshares
// CLONE_FS, joins everything, forks the process, and then dies: it never
// returns to Go's pool.
func execIn(rec *record, initPid int, p Process) (int, *os.File, error) {
	var nsFiles []*os.File
	defer func() {
		for _, f := range nsFiles {
			f.Close()
		}
	}()
	// mnt last: after it, paths resolve inside the container.
	for _, ns := range []string{"ipc", "uts", "net", "pid", "mnt"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", initPid, ns))
		if err != nil {
			return 0, nil, fmt.Errorf("open %s namespace: %w", ns, err)
		}
		nsFiles = append(nsFiles, f)
	}
	cg := loadCgroup(rec.ID)
	if cg == nil {
		return 0, nil, errors.New("container has no cgroup")
	}
	tasks, err := openTasks(cg.tasksFiles())
	if err != nil {
		return 0, nil, err
	}
	defer closeAll(tasks)
	cgfd, err := cg.v2fd()
	if err != nil {
		return 0, nil, err
	}
	if cgfd != nil {
		defer cgfd.Close()
	}
	// On cgroup v2 the process is born in the cgroup through clone3, which
	// the filter answers ENOSYS without CAP_SYS_ADMIN: under a filter it
	// is moved in right after, a moment late.
	lateCgroup := cgfd != nil && len(rec.Init.Seccomp) > 0
	caps := rec.Init.Caps
	if p.Privileged {
		caps, _ = capSet(nil, nil, true, hostCaps())
	}
	c := rec.Init
	c.Caps = caps
	user := firstOf(p.User, rec.Init.User)
	cwd := firstOf(p.WorkingDir, rec.Init.Cwd, "/")
	stdio := []*os.File{p.Stdin, p.Stdout, p.Stderr}
	var null *os.File
	null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, nil, err
	}
	defer null.Close()
	var files []uintptr
	for _, f := range stdio {
		if f == nil {
			f = null
		}
		files = append(files, f.Fd())
	}
	type result struct {
		pid    int
		master *os.File
		err    error
	}
	// The child is in the container's PID namespace from the fork to its
	// execve: a dumpable parent would let the container open the host's
	// binary and descriptors through /proc/PID/exe and /proc/PID/fd then
	// (CVE-2019-5736). Not dumpable, nor is the child until its execve.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return 0, nil, fmt.Errorf("make the exec'ing process not dumpable: %w", err)
	}
	done := make(chan result, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread exits with the goroutine
		var master *os.File
		pid, err := func() (int, error) {
			sys := &syscall.SysProcAttr{Setsid: p.Tty, Setctty: p.Tty}
			if cgfd != nil && !lateCgroup {
				sys.UseCgroupFD, sys.CgroupFD = true, int(cgfd.Fd())
			} else if err := joinSelf(tasks); err != nil {
				return 0, err
			}
			if err := unix.Unshare(unix.CLONE_FS); err != nil {
				return 0, err
			}
			for _, f := range nsFiles {
				if err := unix.Setns(int(f.Fd()), 0); err != nil {
					return 0, fmt.Errorf("join namespace: %w", err)
				}
			}
			u, err := resolveUser("/etc", user, rec.Init.GroupAdd)
			if err != nil {
				return 0, err
			}
			env := withDefaultEnv(mergeEnv(rec.Init.Env, p.Env), u.Home)
			if len(p.Args) == 0 {
				return 0, errors.New("no command specified")
			}
			path, err := lookPath(p.Args[0], env)
			if err != nil {
				return 0, err
			}
			if fi, err := os.Stat(cwd); err != nil || !fi.IsDir() {
				return 0, fmt.Errorf("working directory %q is not a directory", cwd)
			}
			if p.Tty {
				m, slave, err := openPTY()
				if err != nil {
					return 0, err
				}
				defer slave.Close()
				master = m
				files = []uintptr{slave.Fd(), slave.Fd(), slave.Fd()}
				env = mergeEnv([]string{"TERM=xterm"}, env)
			}
			if err := becomeUser(&c, u); err != nil {
				return 0, err
			}
			return syscall.ForkExec(path, p.Args, &syscall.ProcAttr{
				Dir: cwd, Env: env, Files: files,
				Sys: sys,
			})
		}()
		if err != nil && master != nil {
			master.Close()
			master = nil
		}
		done <- result{pid, master, err}
	}()
	r := <-done
	if r.err == nil && lateCgroup {
		procs := filepath.Join(cgfd.Name(), "cgroup.procs")
		if err := os.WriteFile(procs, []byte(strconv.Itoa(r.pid)), 0); err != nil {
			unix.Kill(r.pid, unix.SIGKILL)
			unix.Wait4(r.pid, nil, 0, nil)
			if r.master != nil {
				r.master.Close()
			}
			return 0, nil, fmt.Errorf("join cgroup: %w", err)
		}
	}
	return r.pid, r.master, r.err
}

// execOutput runs args with stdout and stderr captured together, up to
// limit bytes, as healthchecks need.
func execOutput(ctx context.Context, rec *record, initPid int, args []string, limit int) (int, string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return -1, "", err
	}
	defer r.Close()
	pid, _, err := execIn(rec, initPid, Process{Args: args, Stdout: w, Stderr: w})
	w.Close()
	if err != nil {
		return -1, "", err
	}
	out := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, int64(limit)))
		io.Copy(io.Discard, r)
		out <- string(b)
	}()
	code, err := waitPid(ctx, pid)
	// A process the command left behind may hold the pipe open.
	r.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	return code, <-out, err
}
