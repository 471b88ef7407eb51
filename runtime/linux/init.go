package linux

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime/linux/reaper"
)

// initMain is PID 1 of a container. The monitor started it in fresh
// namespaces with the sync socket as fd 3; it reads its config there, builds
// the root file system, becomes the service's user and either execs the
// service (init: false) or forks it and stays to forward signals and reap
// zombies, exiting with the service's status.
func initMain() {
	goruntime.LockOSThread() // credentials and capabilities are per thread
	// Not dumpable: no process in the container may open /proc/1/exe (the
	// host's stack binary) or /proc/1/fd.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	sock := os.NewFile(3, "sync")
	// First the root file system the monitor made (see openOverlay), or
	// a byte alone when it made none, then the config.
	rootfs, _, err := recvFd(sock, "rootfs")
	if err != nil {
		os.Exit(126)
	}
	var c initConfig
	dec := json.NewDecoder(sock)
	if err := dec.Decode(&c); err != nil {
		os.Exit(126)
	}
	fail := func(err error) {
		json.NewEncoder(sock).Encode(initReply{Error: err.Error()})
		os.Exit(127)
	}
	lean := -1
	if c.Init {
		var err error
		if lean, err = openReaper(c.Reaper); err != nil {
			fail(fmt.Errorf("open init %q: %w", c.Reaper, err))
		}
	}
	// The decoder may have read ahead into the monitor's go byte.
	pid, err := startService(&c, rootfs, sock, io.MultiReader(dec.Buffered(), sock))
	if err != nil {
		fail(err)
	}
	// init: true. The service runs as pid, and the monitor knows it
	// (forkService): hand over to the lean init, which closes the socket
	// once it forwards signals (the monitor signals init only then), or
	// else close it and serve here.
	if lean >= 0 {
		// Once the monitor has answered its caller: the exec then costs
		// the start nothing.
		var b [1]byte
		sock.Read(b[:])
		execReaper(lean, pid)
	}
	if initSignals == nil { // the exec failed: reap here after all
		initSignals = reaper.Signals()
	}
	sock.Close()
	os.Exit(reaper.Reap(pid, initSignals))
}

// startService prepares the container and starts its process once the
// monitor says go. With
// init: false it execs in place and returns only on failure.
func startService(c *initConfig, rootfs, sock *os.File, in io.Reader) (int, error) {
	// Opened before pivot_root hides the host's cgroup file system.
	join, err := openTasks(c.CgroupTasks)
	if err != nil {
		return 0, err
	}
	defer closeAll(join)
	leave, err := openTasks(c.OwnTasks)
	if err != nil {
		return 0, err
	}
	defer closeAll(leave)
	if err := setupRootfs(c, rootfs); err != nil {
		return 0, err
	}
	if c.Hostname != "" {
		if err := unix.Sethostname([]byte(c.Hostname)); err != nil {
			return 0, fmt.Errorf("set hostname: %w", err)
		}
	}
	if c.Domainname != "" {
		if err := unix.Setdomainname([]byte(c.Domainname)); err != nil {
			return 0, fmt.Errorf("set domainname: %w", err)
		}
	}
	u, err := resolveUser("/etc", c.User, c.GroupAdd)
	if err != nil {
		return 0, err
	}
	env := withDefaultEnv(c.Env, u.Home)
	cwd := c.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := enterWorkdir(cwd, u); err != nil {
		return 0, err
	}
	if len(c.Args) == 0 {
		return 0, errors.New("no command specified")
	}
	path, err := lookPath(c.Args[0], env)
	if err != nil {
		return 0, err
	}
	if err := setRlimits(c.Rlimits); err != nil {
		return 0, err
	}
	if c.OOMScoreAdj != 0 {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(c.OOMScoreAdj)), 0); err != nil {
			return 0, fmt.Errorf("oom_score_adj %d: %w", c.OOMScoreAdj, err)
		}
	}
	// The monitor moves init into the cgroup while it builds the root file
	// system (a cgroup v1 migration waits for an RCU grace period); the
	// service starts only once that is done.
	var tty *os.File
	if c.Tty {
		master, slave, err := openPTY()
		if err != nil {
			return 0, err
		}
		defer slave.Close()
		tty = slave
		defer master.Close()
		if err := awaitGo(in); err != nil {
			return 0, err
		}
		if err := sendFd(sock, master); err != nil {
			return 0, fmt.Errorf("hand over the terminal: %w", err)
		}
	} else if err := awaitGo(in); err != nil {
		return 0, err
	}
	if c.Init {
		if c.Reaper == "" {
			// Init reaps here: it takes every signal before the fork, so
			// that none is lost. One that execs into the lean init does
			// not: subscribing costs 2-4 ms (a round trip between two
			// locked threads per signal), and the lean init takes them
			// before the monitor sends any (it waits for the socket's end).
			initSignals = reaper.Signals()
		}
		return forkService(c, u, path, env, tty, join, leave, sock)
	}
	if err := becomeUser(c, u); err != nil {
		return 0, err
	}
	if tty != nil {
		if err := takeTerminal(tty); err != nil {
			return 0, err
		}
	}
	if err := joinSelf(join); err != nil {
		return 0, err
	}
	unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	err = unix.Exec(path, c.Args, env)
	return 0, fmt.Errorf("exec %q: %w", c.Args[0], err)
}

// forkService starts the service as init's child from a thread of its own,
// which takes the service's credentials and then dies with them, and tells
// the monitor the service's pid.
func forkService(c *initConfig, u execUser, path string, env []string, tty *os.File, join, leave []*os.File, sock *os.File) (int, error) {
	type result struct {
		pid     int
		err     error
		replied bool
	}
	done := make(chan result, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread exits with this goroutine
		if err := joinSelf(join); err != nil {
			done <- result{err: err}
			return
		}
		if err := becomeUser(c, u); err != nil {
			done <- result{err: err}
			return
		}
		files := []uintptr{0, 1, 2}
		if tty != nil {
			files = []uintptr{tty.Fd(), tty.Fd(), tty.Fd()}
		}
		pid, err := syscall.ForkExec(path, c.Args, &syscall.ProcAttr{
			Env:   env,
			Files: files,
			Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: tty != nil},
		})
		replied := false
		if err != nil {
			err = fmt.Errorf("exec %q: %w", c.Args[0], err)
		} else {
			// The monitor hears of it from here, at once: handing the
			// pid to the main thread first costs a switch of threads.
			replied = replyPid(sock, pid) == nil
		}
		// Out again before this thread ends, so it never counts.
		joinSelf(leave)
		done <- result{pid, err, replied}
	}()
	r := <-done
	if r.err == nil && !r.replied {
		if err := replyPid(sock, r.pid); err != nil {
			return 0, err
		}
	}
	return r.pid, r.err
}

// replyPid tells the monitor the service's pid: init's one message when
// the service runs (an initReply), written with one system call from a
// thread that may run under the service's seccomp filter.
func replyPid(sock *os.File, pid int) error {
	msg := strconv.AppendInt([]byte(`{"Pid":`), int64(pid), 10)
	msg = append(msg, "}\n"...)
	_, err := unix.Write(int(sock.Fd()), msg)
	return err
}

// becomeUser drops the calling thread to the service's user and capability
// sets and puts it under the container's seccomp filter. Order matters: the
// bounding set needs CAP_SETPCAP, the ids need CAP_SETUID and CAP_SETGID,
// so both go before the final capset; the filter comes last but for that
// capset, which it allows (see below).
func becomeUser(c *initConfig, u execUser) error {
	if err := dropBounding(c.Caps); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return err
	}
	groups := u.Groups
	if groups == nil {
		groups = []uint32{}
	}
	if err := threadSetgroups(groups); err != nil {
		return fmt.Errorf("set groups: %w", err)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(u.GID), uintptr(u.GID), uintptr(u.GID)); e != 0 {
		return fmt.Errorf("set gid %d: %w", u.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(u.UID), uintptr(u.UID), uintptr(u.UID)); e != 0 {
		return fmt.Errorf("set uid %d: %w", u.UID, e)
	}
	if len(c.Seccomp) > 0 && !c.NoNewPrivs {
		// Without no_new_privs a filter takes CAP_SYS_ADMIN: install it
		// while the thread may still raise it, as runc does, rather than
		// set no_new_privs for a service that did not ask. The capset
		// that follows is a call the filter must allow.
		if err := setCaps(append(slices.Clone(c.Caps), "SYS_ADMIN")); err != nil {
			return err
		}
		if err := installSeccomp(c.Seccomp); err != nil {
			return err
		}
	}
	if err := setCaps(c.Caps); err != nil {
		return err
	}
	if c.NoNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
		if len(c.Seccomp) > 0 {
			return installSeccomp(c.Seccomp)
		}
	}
	return nil
}

// withDefaultEnv adds what Docker adds when the image and service do not
// set it: PATH and HOME.
func withDefaultEnv(env []string, home string) []string {
	has := func(k string) bool {
		for _, e := range env {
			if strings.HasPrefix(e, k+"=") {
				return true
			}
		}
		return false
	}
	if !has("PATH") {
		env = append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	if !has("HOME") {
		env = append(env, "HOME="+home)
	}
	return env
}

// enterWorkdir changes to the working directory, creating it as Docker
// does when it is missing; a file there is an error.
func enterWorkdir(dir string, u execUser) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create working directory %q: %w", dir, err)
		}
		os.Chown(dir, int(u.UID), int(u.GID))
	} else if err != nil {
		return fmt.Errorf("working directory %q: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("working directory %q is not a directory", dir)
	}
	return unix.Chdir(dir)
}

// lookPath finds the executable as execve(2) in the container would,
// searching the container's PATH, with Docker's wording when it is absent.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		fi, err := os.Stat(name)
		if err != nil {
			return "", fmt.Errorf("exec: %q: stat %s: no such file or directory", name, name)
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("exec: %q: permission denied", name)
		}
		return name, nil
	}
	path := ""
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + name
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec: %q: executable file not found in $PATH", name)
}

// awaitGo reads up to the monitor's go byte, past the newline that ends
// the config.
func awaitGo(r io.Reader) error {
	var b [1]byte
	for {
		if n, err := r.Read(b[:]); err != nil {
			return errors.New("monitor went away before the start")
		} else if n == 1 && b[0] == 'g' {
			return nil
		}
	}
}

// takeTerminal makes tty the calling process's stdio and controlling
// terminal, for a service that is PID 1 itself.
func takeTerminal(tty *os.File) error {
	for fd := 0; fd < 3; fd++ {
		if err := unix.Dup3(int(tty.Fd()), fd, 0); err != nil {
			return err
		}
	}
	if _, err := unix.Setsid(); err != nil {
		return err
	}
	return unix.IoctlSetInt(0, unix.TIOCSCTTY, 0)
}
