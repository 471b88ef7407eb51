package linux

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"testing"
)

// probeSource is a static program for the container tests: each argument
// names a raw system call to make, and it prints "name=errno" (0 for
// success) for each, so a test sees exactly what the kernel answered.
const probeSource = `package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	for _, arg := range os.Args[1:] {
		f := strings.Split(arg, ":")
		var e syscall.Errno
		switch f[0] {
		case "keyctl": // KEYCTL_GET_KEYRING_ID of KEY_SPEC_USER_KEYRING
			_, _, e = syscall.RawSyscall(syscall.SYS_KEYCTL, 0, ^uintptr(3), 0)
		case "personality": // READ_IMPLIES_EXEC, then back
			_, _, e = syscall.RawSyscall(syscall.SYS_PERSONALITY, 0x0400000, 0, 0)
			syscall.RawSyscall(syscall.SYS_PERSONALITY, 0, 0, 0)
		case "vsock":
			var fd uintptr
			fd, _, e = syscall.RawSyscall(syscall.SYS_SOCKET, 40, syscall.SOCK_STREAM, 0)
			if e == 0 {
				syscall.Close(int(fd))
			}
		case "kcmp": // KCMP_VM of this process with itself
			pid := uintptr(os.Getpid())
			_, _, e = syscall.RawSyscall6(312, pid, pid, 1, 0, 0, 0)
		case "clone3": // invalid arguments: EINVAL if the kernel sees it
			_, _, e = syscall.RawSyscall(435, 0, 0, 0)
		case "nosys":
			_, _, e = syscall.RawSyscall(1000, 0, 0, 0)
		case "mknod": // mknod:PATH:MAJOR:MINOR, a character device
			maj, _ := strconv.Atoi(f[2])
			min, _ := strconv.Atoi(f[3])
			if err := syscall.Mknod(f[1], syscall.S_IFCHR|0o600, maj<<8|min); err != nil {
				e = err.(syscall.Errno)
			}
		case "open": // open:PATH, for reading
			fd, err := syscall.Open(f[1], syscall.O_RDONLY, 0)
			if err != nil {
				e = err.(syscall.Errno)
			} else {
				syscall.Close(fd)
			}
		default:
			fmt.Fprintln(os.Stderr, "unknown probe", arg)
			os.Exit(2)
		}
		fmt.Printf("%s=%d\n", f[0], int(e))
	}
}
`

// probeImage makes the image "probe": busybox with /bin/probe on top.
func probeImage(t *testing.T) string { return programImage(t, "probe", probeSource) }

// programs are the static Go programs the tests build, once per test
// binary each, by name.
var programs struct {
	mu    sync.Mutex
	built map[string]*program
}

type program struct {
	once  sync.Once
	layer string
	err   error
}

// programImage makes the image name: busybox with /bin/NAME on top, built
// from the Go source once per test binary.
func programImage(t *testing.T, name, source string) string {
	t.Helper()
	programs.mu.Lock()
	if programs.built == nil {
		programs.built = map[string]*program{}
	}
	p := programs.built[name]
	if p == nil {
		p = &program{}
		programs.built[name] = p
	}
	programs.mu.Unlock()
	p.once.Do(func() { p.layer, p.err = buildProgram(name, source) })
	if p.layer == "" {
		t.Fatalf("no %s program: %v", name, p.err)
	}
	programs.mu.Lock()
	if images.extra == nil {
		images.extra = map[string][]string{}
	}
	images.extra[name] = []string{images.layer, p.layer}
	programs.mu.Unlock()
	return name
}

// buildProgram builds a static program into a layer of its own.
func buildProgram(name, source string) (string, error) {
	dir, err := os.MkdirTemp(images.dir, name+"-")
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	os.MkdirAll(filepath.Join(dir, "fs/bin"), 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module "+name+"\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(src, "main.go"), []byte(source), 0o644)
	goBin := filepath.Join(goruntime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "build", "-o", filepath.Join(dir, "fs/bin", name), ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "fs"), nil
}
