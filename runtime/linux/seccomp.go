package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// seccompOpt reads a security_opt entry about seccomp ("seccomp=..." or
// Docker's older "seccomp:..."): ok is false for any other entry. The value
// is "unconfined", a profile's JSON (as service sends it, and Docker's API
// takes it) or the absolute path of a profile file.
func seccompOpt(opt string) (p *runtime.Seccomp, unconfined, ok bool, err error) {
	v, ok := strings.CutPrefix(opt, "seccomp=")
	if !ok {
		if v, ok = strings.CutPrefix(opt, "seccomp:"); !ok {
			return nil, false, false, nil
		}
	}
	switch {
	case v == "unconfined":
		return nil, true, true, nil
	case strings.HasPrefix(strings.TrimSpace(v), "{"):
		p, err = runtime.ParseSeccomp([]byte(v))
	case filepath.IsAbs(v):
		var data []byte
		if data, err = os.ReadFile(v); err == nil {
			p, err = runtime.ParseSeccomp(data)
		}
	default:
		err = errors.New("want unconfined, a profile or an absolute path")
	}
	if err != nil {
		return nil, false, true, fmt.Errorf("security_opt seccomp profile: %w", err)
	}
	return p, false, true, nil
}

// seccompFilter is the program a container's processes run under: the
// profile given, else Docker's default, resolved for caps; nil for a
// privileged or unconfined container.
func seccompFilter(p *runtime.Seccomp, unconfined, privileged bool, caps []string) ([]byte, error) {
	if privileged || unconfined {
		return nil, nil
	}
	if p == nil {
		return defaultFilter(caps)
	}
	prog, err := compileSeccomp(p, newSeccompTarget(caps))
	if err != nil {
		return nil, err
	}
	return encodeBPF(prog), nil
}

// defaultFilters caches the default profile's program by capability set:
// most containers of a host share one.
var defaultFilters sync.Map

func defaultFilter(caps []string) ([]byte, error) {
	key := strings.Join(caps, ",")
	if b, ok := defaultFilters.Load(key); ok {
		return b.([]byte), nil
	}
	prog, err := compileSeccomp(defaultSeccomp(), newSeccompTarget(caps))
	if err != nil {
		return nil, err
	}
	b := encodeBPF(prog)
	defaultFilters.Store(key, b)
	return b, nil
}

func newSeccompTarget(caps []string) seccompTarget {
	t := seccompTarget{caps: map[string]bool{}, kernel: kernelVersion()}
	for _, c := range caps {
		t.caps[normCap(c)] = true
	}
	return t
}

// kernelVersion is the running kernel's major and minor version.
var kernelVersion = sync.OnceValue(func() [2]int {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return [2]int{}
	}
	major, minor, _ := runtime.ParseKernelVersion(unix.ByteSliceToString(u.Release[:]))
	return [2]int{major, minor}
})

// installSeccomp puts the calling thread under prog; what it forks or
// execs inherits it. The thread needs no_new_privs or CAP_SYS_ADMIN.
func installSeccomp(prog []byte) error {
	f := decodeBPF(prog)
	if len(f) == 0 {
		return errors.New("install seccomp filter: empty program")
	}
	fp := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fp)))
	if e != 0 {
		return fmt.Errorf("install seccomp filter: %w", e)
	}
	return nil
}
