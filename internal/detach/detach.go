// Package detach starts the process that finishes a command's slow work
// after the command has returned: a removed network's bridge, removed
// containers' files. Each part of the command adds its job to one Jobs,
// and one process does them all: a fork and exec is about a millisecond
// of the command's time. It runs in its own session (a Ctrl-C meant for
// the command leaves it be) from /, with /dev/null for its standard
// streams.
package detach

import (
	"os"
	"syscall"
)

// argv0 names the process. A part acts on its job's variable only in a
// process so named: a person's environment could carry the variable.
const argv0 = "stack-finish"

// Started reports whether this process is one that Jobs.Start started;
// each part then looks for its own variable.
func Started() bool { return len(os.Args) == 1 && os.Args[0] == argv0 }

// Jobs is the work a command leaves to a detached process. The zero value
// has none.
type Jobs struct {
	env   []string
	files []*os.File
	here  []func()
}

// Pass hands f to the process, which finds it at the descriptor number
// returned. Start closes it here.
func (j *Jobs) Pass(f *os.File) int {
	j.files = append(j.files, f)
	return 2 + len(j.files)
}

// Add adds a job: kv, a NAME=value variable, tells the part of the process
// that knows NAME what to do; here does the job in this process instead,
// if the process cannot start. The process does the jobs in the order
// they were added.
func (j *Jobs) Add(kv string, here func()) {
	j.env = append(j.env, kv)
	j.here = append(j.here, here)
}

// Start starts the executable at path to do the jobs, and does not wait
// for it: a long-lived caller reaps it in the background, a command has
// exited by then. Without a path, or if it cannot start, the jobs are done
// here. Either way j is empty again. It uses syscall's fork and exec, not
// os/exec's, which first probes the kernel for pidfds with a fork of its
// own.
func (j *Jobs) Start(path string) {
	defer func() {
		for _, f := range j.files {
			f.Close()
		}
		*j = Jobs{}
	}()
	if len(j.env) == 0 {
		return
	}
	if path == "" || start(path, append(j.env, "GOMAXPROCS=1"), j.files) != nil {
		for _, f := range j.here {
			f()
		}
	}
}

func start(path string, env []string, extra []*os.File) error {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	files := []uintptr{null.Fd(), null.Fd(), null.Fd()}
	for _, f := range extra {
		files = append(files, f.Fd())
	}
	pid, err := syscall.ForkExec(path, []string{argv0}, &syscall.ProcAttr{
		Dir: "/", Env: env, Files: files,
		Sys: &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return err
	}
	go func() {
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
				return
			}
		}
	}()
	return nil
}
