package linux

import (
	"encoding/binary"
	"errors"
	"fmt"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
)

// runBPF interprets a seccomp program the way the kernel does, over the
// seccomp_data of one call.
func runBPF(t *testing.T, prog []unix.SockFilter, arch, nr uint32, args ...uint64) uint32 {
	t.Helper()
	ret, _, err := evalBPF(prog, arch, nr, args...)
	if err != nil {
		t.Fatal(err)
	}
	return ret
}

// evalBPF returns what prog answers and how many instructions it ran.
func evalBPF(prog []unix.SockFilter, arch, nr uint32, args ...uint64) (uint32, int, error) {
	data := make([]byte, 64)
	binary.LittleEndian.PutUint32(data[0:], nr)
	binary.LittleEndian.PutUint32(data[4:], arch)
	for i, a := range args {
		binary.LittleEndian.PutUint64(data[16+8*i:], a)
	}
	var acc uint32
	for pc, steps := 0, 1; pc < len(prog); pc, steps = pc+1, steps+1 {
		in := prog[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			acc = binary.LittleEndian.Uint32(data[in.K:])
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			acc &= in.K
		case unix.BPF_RET | unix.BPF_K:
			return in.K, steps, nil
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K:
			var ok bool
			switch in.Code &^ (unix.BPF_JMP | unix.BPF_K) {
			case unix.BPF_JEQ:
				ok = acc == in.K
			case unix.BPF_JGT:
				ok = acc > in.K
			case unix.BPF_JGE:
				ok = acc >= in.K
			}
			if ok {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		default:
			return 0, steps, fmt.Errorf("instruction %d: unknown code %#x", pc, in.Code)
		}
	}
	return 0, 0, errors.New("program ran off its end")
}

func nr(t *testing.T, table []sysnum, name string) uint32 {
	t.Helper()
	n, ok := lookup(table, name)
	if !ok {
		t.Fatalf("no syscall %q", name)
	}
	return n
}

const (
	allow  = unix.SECCOMP_RET_ALLOW
	eperm  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	enosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

func TestSyscallTablesAreSortedByName(t *testing.T) {
	for _, table := range [][]sysnum{sysnumX8664, sysnumI386} {
		if !slices.IsSortedFunc(table, func(a, b sysnum) int { return strings.Compare(a.name, b.name) }) {
			t.Fatal("table not sorted: lookup would miss names")
		}
	}
	if n, _ := lookup(sysnumX8664, "openat"); n != unix.SYS_OPENAT {
		t.Fatalf("openat = %d", n)
	}
}

func TestDefaultSeccompAnswersAsDockersProfile(t *testing.T) {
	x := uint32(unix.AUDIT_ARCH_X86_64)
	def := compileDefault(t, DefaultCaps)
	admin := compileDefault(t, append(slices.Clone(DefaultCaps), "SYS_ADMIN", "SYS_PTRACE"))
	n := func(name string) uint32 { return nr(t, sysnumX8664, name) }
	for _, c := range []struct {
		what string
		prog []unix.SockFilter
		arch uint32
		nr   uint32
		args []uint64
		want uint32
	}{
		{"read", def, x, n("read"), nil, allow},
		{"keyctl", def, x, n("keyctl"), nil, eperm},
		{"kexec_load", def, x, n("kexec_load"), nil, eperm},
		{"bpf", def, x, n("bpf"), nil, eperm},
		{"bpf with CAP_SYS_ADMIN", admin, x, n("bpf"), nil, allow},
		{"a syscall newer than the profile", def, x, 1000, nil, enosys},
		{"a number in range the profile does not name", def, x, n("afs_syscall"), nil, eperm},
		{"clone3", def, x, n("clone3"), nil, enosys},
		{"clone3 with CAP_SYS_ADMIN", admin, x, n("clone3"), nil, allow},
		{"clone for a thread", def, x, n("clone"), []uint64{unix.CLONE_VM | unix.CLONE_THREAD | uint64(unix.SIGCHLD)}, allow},
		{"clone with CLONE_NEWUSER", def, x, n("clone"), []uint64{unix.CLONE_NEWUSER | uint64(unix.SIGCHLD)}, eperm},
		{"clone with CLONE_NEWUSER and CAP_SYS_ADMIN", admin, x, n("clone"), []uint64{unix.CLONE_NEWUSER}, allow},
		{"unshare", def, x, n("unshare"), []uint64{unix.CLONE_NEWUSER}, eperm},
		{"socket AF_INET", def, x, n("socket"), []uint64{unix.AF_INET}, allow},
		{"socket AF_VSOCK", def, x, n("socket"), []uint64{unix.AF_VSOCK}, eperm},
		{"socket AF_VSOCK with high bits", def, x, n("socket"), []uint64{1<<32 | unix.AF_VSOCK}, allow},
		{"personality query", def, x, n("personality"), []uint64{0xffffffff}, allow},
		{"personality PER_LINUX32", def, x, n("personality"), []uint64{8}, allow},
		{"personality READ_IMPLIES_EXEC", def, x, n("personality"), []uint64{0x0400000}, eperm},
		{"ptrace (the kernel confines it since 4.8)", def, x, n("ptrace"), nil, allow},
		{"kcmp", def, x, n("kcmp"), nil, eperm},
		{"kcmp with CAP_SYS_PTRACE", admin, x, n("kcmp"), nil, allow},
		{"arch_prctl", def, x, n("arch_prctl"), nil, allow},
		{"x32 read", def, x, x32Bit | n("read"), nil, enosys},
		{"i386 read", def, unix.AUDIT_ARCH_I386, nr(t, sysnumI386, "read"), nil, allow},
		{"i386 keyctl", def, unix.AUDIT_ARCH_I386, nr(t, sysnumI386, "keyctl"), nil, eperm},
		{"i386 socketcall", def, unix.AUDIT_ARCH_I386, nr(t, sysnumI386, "socketcall"), nil, allow},
		{"i386 newer than the profile", def, unix.AUDIT_ARCH_I386, 1000, nil, enosys},
		{"another architecture", def, unix.AUDIT_ARCH_AARCH64, 0, nil, enosys},
	} {
		if got := runBPF(t, c.prog, c.arch, c.nr, c.args...); got != c.want {
			t.Errorf("%s: got %#x, want %#x", c.what, got, c.want)
		}
	}
}

func compileDefault(t *testing.T, caps []string) []unix.SockFilter {
	t.Helper()
	prog, err := compileSeccomp(defaultSeccomp(), newSeccompTarget(caps))
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func TestSeccompArgumentComparisonsUseAll64Bits(t *testing.T) {
	const v = 5<<32 | 7
	ops := map[string]func(a uint64) bool{
		"SCMP_CMP_EQ":        func(a uint64) bool { return a == v },
		"SCMP_CMP_NE":        func(a uint64) bool { return a != v },
		"SCMP_CMP_LT":        func(a uint64) bool { return a < v },
		"SCMP_CMP_LE":        func(a uint64) bool { return a <= v },
		"SCMP_CMP_GT":        func(a uint64) bool { return a > v },
		"SCMP_CMP_GE":        func(a uint64) bool { return a >= v },
		"SCMP_CMP_MASKED_EQ": func(a uint64) bool { return a&v == 5<<32|2 },
	}
	for op, want := range ops {
		p := &runtime.Seccomp{DefaultAction: "SCMP_ACT_ALLOW", Syscalls: []runtime.SeccompRule{{
			Names: []string{"write"}, Action: "SCMP_ACT_ERRNO",
			Args: []runtime.SeccompArg{{Index: 2, Value: v, ValueTwo: 5<<32 | 2, Op: op}},
		}}}
		prog, err := compileSeccomp(p, newSeccompTarget(nil))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []uint64{0, 7, 6, 8, 5 << 32, 5<<32 | 6, v, 5<<32 | 8, 6 << 32, 4<<32 | 9, 5<<32 | 2, 5<<32 | 3} {
			got := runBPF(t, prog, unix.AUDIT_ARCH_X86_64, unix.SYS_WRITE, 1, 2, a) == eperm
			if got != want(a) {
				t.Errorf("%s %#x against %#x: matched %v, want %v", op, a, uint64(v), got, want(a))
			}
		}
	}
}

func TestSeccompSearchIsShallow(t *testing.T) {
	prog := compileDefault(t, DefaultCaps)
	worst := 0
	for n := uint32(0); n < 500; n++ {
		_, steps, err := evalBPF(prog, unix.AUDIT_ARCH_X86_64, n, unix.AF_INET)
		if err != nil {
			t.Fatal(err)
		}
		worst = max(worst, steps)
	}
	if worst > 40 {
		t.Fatalf("a syscall runs %d instructions of %d: the search is not a tree", worst, len(prog))
	}
	t.Logf("program: %d instructions, at most %d run per call", len(prog), worst)
}

func BenchmarkDefaultSeccompCompile(b *testing.B) {
	for b.Loop() {
		prog, err := compileSeccomp(defaultSeccomp(), newSeccompTarget(DefaultCaps))
		if err != nil {
			b.Fatal(err)
		}
		encodeBPF(prog)
	}
}

func BenchmarkDefaultSeccompCached(b *testing.B) {
	for b.Loop() {
		if _, err := defaultFilter(DefaultCaps); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeccompInstall is what init pays at a start: decode the program
// and load it, on a thread of its own that then exits (an upper bound: it
// counts the thread too).
func BenchmarkSeccompInstall(b *testing.B) {
	testenv.RequireRoot(b)
	prog, err := defaultFilter(DefaultCaps)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		done := make(chan error)
		go func() {
			goruntime.LockOSThread() // never unlocked: the filtered thread exits
			done <- installSeccomp(prog)
		}()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
