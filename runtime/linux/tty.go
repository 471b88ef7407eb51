package linux

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// openPTY opens a new pseudo-terminal pair from /dev/ptmx as the calling
// thread sees it: inside a container, that is the container's own devpts
// instance, so the slave shows as /dev/pts/N there.
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pseudo-terminal: %w", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("unlock pseudo-terminal: %w", err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("pseudo-terminal number: %w", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("open pseudo-terminal: %w", err)
	}
	return m, s, nil
}

// copyWinsize gives to the terminal the window size of from, if from is a
// terminal.
func copyWinsize(from, to *os.File) {
	if from == nil {
		return
	}
	if ws, err := unix.IoctlGetWinsize(int(from.Fd()), unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(to.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// pumpPTY connects a caller's stdin and stdout to a terminal's master until
// the process behind it exits (the master then reads EIO): the window size
// follows the caller's terminal.
func pumpPTY(master, stdin, stdout *os.File) (done func()) {
	copyWinsize(stdin, master)
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	go func() {
		for range winch {
			copyWinsize(stdin, master)
		}
	}()
	if stdin != nil {
		go io.Copy(master, stdin)
	}
	out := make(chan struct{})
	go func() {
		if stdout != nil {
			io.Copy(stdout, master)
		} else {
			io.Copy(io.Discard, master)
		}
		close(out)
	}()
	return func() {
		<-out
		signal.Stop(winch)
		close(winch)
		master.Close()
	}
}

// sendFd passes f over a unix socket with one byte of data; nil sends
// the byte alone. The socket may be the poller's (the monitor's end).
func sendFd(sock *os.File, f *os.File) error {
	var rights []byte
	if f != nil {
		rights = unix.UnixRights(int(f.Fd()))
	}
	rc, err := sock.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), []byte{'t'}, rights, nil, 0)
		return serr != unix.EAGAIN
	})
	if err == nil {
		err = serr
	}
	return err
}

// recvFd receives a descriptor sent with sendFd. Data that came without
// one (init failed before it could send it) is returned instead.
func recvFd(sock *os.File, name string) (*os.File, []byte, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	rc, err := sock.SyscallConn()
	if err != nil {
		return nil, nil, err
	}
	var n, oobn int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, nil, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err == nil && len(msgs) == 1 {
		if fds, err := unix.ParseUnixRights(&msgs[0]); err == nil && len(fds) == 1 {
			return os.NewFile(uintptr(fds[0]), name), nil, nil
		}
	}
	return nil, buf[:n], nil
}
