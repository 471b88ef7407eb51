// Package detach starts the processes that finish a command's slow work
// after it has returned: a removed network's bridge, removed containers'
// files. Each runs in its own session (a Ctrl-C meant for the command
// leaves it be) from /, with /dev/null for its standard streams.
package detach

import (
	"os"
	"syscall"
)

// Start starts path with argv and env, handing it extra as its descriptors
// from 3 on, and does not wait for it: a long-lived caller reaps it in the
// background, a command has exited by then. It uses syscall's fork and
// exec, not os/exec's, which first probes the kernel for pidfds with a
// fork of its own.
func Start(path string, argv, env []string, extra ...*os.File) error {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	files := []uintptr{null.Fd(), null.Fd(), null.Fd()}
	for _, f := range extra {
		files = append(files, f.Fd())
	}
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
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
