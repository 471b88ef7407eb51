package linux

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// sysnum is one system call's number on one architecture.
type sysnum struct {
	name string
	nr   uint32
}

// lookup finds name in a table sorted by name.
func lookup(table []sysnum, name string) (uint32, bool) {
	i, ok := slices.BinarySearchFunc(table, name, func(s sysnum, n string) int { return strings.Compare(s.name, n) })
	if !ok {
		return 0, false
	}
	return table[i].nr, true
}

// Offsets in struct seccomp_data.
const (
	seccompNr   = 0
	seccompArch = 4
	seccompArgs = 16
	// x32 calls are x86_64's with this bit set; stack refuses them, as a
	// kernel built without x32 does.
	x32Bit = 0x40000000
)

var retENOSYS = uint32(unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS))

// condRule is one rule of a syscall with argument conditions, all of which
// must hold.
type condRule struct {
	args   []runtime.SeccompArg
	action uint32
}

// sysRules is what a profile says of one syscall: rules with conditions,
// tried in order, then the action without condition (or the default).
type sysRules struct {
	cond   []condRule
	action uint32
	has    bool // action is set
}

// archFilter is the profile resolved for one architecture.
type archFilter struct {
	audit uint32
	calls map[uint32]*sysRules
	max   uint32 // the highest syscall the profile names: above answers ENOSYS
}

// seccompTarget is what a profile is resolved against: the container's
// capabilities (CAP_ names) and the running kernel.
type seccompTarget struct {
	caps   map[string]bool
	kernel [2]int
}

// compileSeccomp resolves profile p for t and assembles the filter: check
// the architecture, then find the syscall by a binary search over ranges of
// numbers that share an action, so a call costs about ten instructions
// rather than one comparison per rule.
func compileSeccomp(p *runtime.Seccomp, t seccompTarget) ([]unix.SockFilter, error) {
	def, err := seccompAction(p.DefaultAction, p.DefaultErrnoRet, nil)
	if err != nil {
		return nil, err
	}
	// Newer syscalls answer ENOSYS, so that a libc falls back to an older
	// one, unless everything unknown is allowed anyway.
	stub := def != unix.SECCOMP_RET_ALLOW && def != unix.SECCOMP_RET_LOG
	native, err := resolveArch(p, t, unix.AUDIT_ARCH_X86_64, sysnumX8664, def)
	if err != nil {
		return nil, err
	}
	var a bpfAsm
	notNative, bad := a.label(), a.label()
	a.load(seccompArch)
	isNative, notX32 := a.label(), a.label()
	a.jump(unix.BPF_JEQ, native.audit, isNative, next)
	a.goTo(notNative)
	a.bind(isNative)
	a.load(seccompNr)
	a.jump(unix.BPF_JGE, x32Bit, next, notX32)
	a.ret(retENOSYS)
	a.bind(notX32)
	emitArch(&a, native, def, stub)
	a.bind(notNative)
	if slices.Contains(seccompArches(p), "SCMP_ARCH_X86") {
		i386, err := resolveArch(p, t, unix.AUDIT_ARCH_I386, sysnumI386, def)
		if err != nil {
			return nil, err
		}
		isI386 := a.label()
		a.jump(unix.BPF_JEQ, i386.audit, isI386, next)
		a.goTo(bad)
		a.bind(isI386)
		a.load(seccompNr)
		emitArch(&a, i386, def, stub)
	}
	// Any other ABI is refused as a kernel without it would.
	a.bind(bad)
	a.ret(retENOSYS)
	return a.program()
}

// seccompArches are the architectures the profile covers besides x86_64:
// its architectures list, or the sub-architectures archMap gives x86_64.
func seccompArches(p *runtime.Seccomp) []string {
	if len(p.Architectures) > 0 {
		return p.Architectures
	}
	for _, m := range p.ArchMap {
		if m.Arch == "SCMP_ARCH_X86_64" {
			return m.SubArches
		}
	}
	return nil
}

// resolveArch keeps the rules that apply to t, as Docker selects them
// (includes: every capability, this architecture, the kernel at least;
// excludes: any capability, this architecture, the kernel at least), and
// maps their names to this architecture's numbers; a name the
// architecture lacks is skipped.
func resolveArch(p *runtime.Seccomp, t seccompTarget, audit uint32, table []sysnum, def uint32) (*archFilter, error) {
	f := &archFilter{audit: audit, calls: map[uint32]*sysRules{}}
	for _, r := range p.Syscalls {
		for _, name := range ruleNames(r) {
			if nr, ok := lookup(table, name); ok && nr > f.max {
				f.max = nr
			}
		}
		if !t.selects(r) {
			continue
		}
		action, err := seccompAction(r.Action, r.ErrnoRet, p.DefaultErrnoRet)
		if err != nil {
			return nil, err
		}
		for _, name := range ruleNames(r) {
			nr, ok := lookup(table, name)
			if !ok {
				continue
			}
			s := f.calls[nr]
			if s == nil {
				s = &sysRules{}
				f.calls[nr] = s
			}
			if len(r.Args) == 0 {
				s.action, s.has = action, true // the last one wins
				continue
			}
			for _, args := range splitArgs(r.Args) {
				s.cond = append(s.cond, condRule{args: args, action: action})
			}
		}
	}
	return f, nil
}

func ruleNames(r runtime.SeccompRule) []string {
	if r.Name != "" {
		return append([]string{r.Name}, r.Names...)
	}
	return r.Names
}

// splitArgs turns a rule's conditions into rules that each must hold
// entirely. Two conditions on one argument cannot both hold as Docker
// writes them (a list of values): as runc does, each becomes a rule of
// its own.
func splitArgs(args []runtime.SeccompArg) [][]runtime.SeccompArg {
	seen := map[uint]bool{}
	for _, a := range args {
		if seen[a.Index] {
			out := make([][]runtime.SeccompArg, len(args))
			for i, a := range args {
				out[i] = []runtime.SeccompArg{a}
			}
			return out
		}
		seen[a.Index] = true
	}
	return [][]runtime.SeccompArg{args}
}

// selects reports whether rule r applies to the container.
func (t seccompTarget) selects(r runtime.SeccompRule) bool {
	const arch = "amd64" // Docker matches arches against GOARCH
	for _, c := range r.Includes.Caps {
		if !t.caps[normCap(c)] {
			return false
		}
	}
	if len(r.Includes.Arches) > 0 && !slices.Contains(r.Includes.Arches, arch) {
		return false
	}
	if k := r.Includes.MinKernel; k != "" && !t.kernelAtLeast(k) {
		return false
	}
	for _, c := range r.Excludes.Caps {
		if t.caps[normCap(c)] {
			return false
		}
	}
	if slices.Contains(r.Excludes.Arches, arch) {
		return false
	}
	if k := r.Excludes.MinKernel; k != "" && t.kernelAtLeast(k) {
		return false
	}
	return true
}

func (t seccompTarget) kernelAtLeast(v string) bool {
	major, minor, err := runtime.ParseKernelVersion(v)
	if err != nil {
		return false
	}
	return t.kernel[0] > major || t.kernel[0] == major && t.kernel[1] >= minor
}

// seccompAction is the SECCOMP_RET_ value of a profile action. An errno
// action without errnoRet takes the profile's defaultErrnoRet, else EPERM.
func seccompAction(action string, errno, defErrno *uint) (uint32, error) {
	data := func() uint32 {
		switch {
		case errno != nil:
			return uint32(*errno) & unix.SECCOMP_RET_DATA
		case defErrno != nil:
			return uint32(*defErrno) & unix.SECCOMP_RET_DATA
		}
		return uint32(unix.EPERM)
	}
	switch action {
	case "SCMP_ACT_ALLOW":
		return unix.SECCOMP_RET_ALLOW, nil
	case "SCMP_ACT_ERRNO":
		return unix.SECCOMP_RET_ERRNO | data(), nil
	case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD":
		return unix.SECCOMP_RET_KILL_THREAD, nil
	case "SCMP_ACT_KILL_PROCESS":
		return unix.SECCOMP_RET_KILL_PROCESS, nil
	case "SCMP_ACT_TRAP":
		return unix.SECCOMP_RET_TRAP, nil
	case "SCMP_ACT_TRACE":
		if errno == nil {
			return unix.SECCOMP_RET_TRACE, nil
		}
		return unix.SECCOMP_RET_TRACE | uint32(*errno)&unix.SECCOMP_RET_DATA, nil
	case "SCMP_ACT_LOG":
		return unix.SECCOMP_RET_LOG, nil
	}
	return 0, fmt.Errorf("seccomp action %q: not supported", action)
}

// segment is a range of syscall numbers, from start up to the next
// segment's, that answer alike: one action, or the rules of one syscall.
type segment struct {
	start  uint32
	action uint32
	rules  *sysRules // non-nil: a syscall with argument conditions
}

// emitArch emits the search for the syscall number in A.
func emitArch(a *bpfAsm, f *archFilter, def uint32, stub bool) {
	var segs []segment
	add := func(s segment) {
		if n := len(segs); n > 0 && s.rules == nil && segs[n-1].rules == nil && segs[n-1].action == s.action {
			return
		}
		segs = append(segs, s)
	}
	for nr := uint32(0); nr <= f.max; nr++ {
		s := f.calls[nr]
		switch {
		case s == nil:
			add(segment{start: nr, action: def})
		case len(s.cond) > 0:
			add(segment{start: nr, rules: s})
		case s.has:
			add(segment{start: nr, action: s.action})
		default:
			add(segment{start: nr, action: def})
		}
	}
	beyond := def
	if stub {
		beyond = retENOSYS
	}
	add(segment{start: f.max + 1, action: beyond})
	emitTree(a, segs, def)
}

// emitTree is a binary search over segs. A taken comparison goes through
// an unconditional jump, whose reach is unlimited, so no conditional jump
// ever spans a subtree.
func emitTree(a *bpfAsm, segs []segment, def uint32) {
	if len(segs) == 1 {
		emitLeaf(a, segs[0], def)
		return
	}
	mid := len(segs) / 2
	right, left := a.label(), a.label()
	a.jump(unix.BPF_JGE, segs[mid].start, next, left)
	a.goTo(right)
	a.bind(left)
	emitTree(a, segs[:mid], def)
	a.bind(right)
	emitTree(a, segs[mid:], def)
}

// emitLeaf returns the segment's action, trying argument rules first. It
// leaves A holding an argument word: the search is over by then.
func emitLeaf(a *bpfAsm, s segment, def uint32) {
	if s.rules == nil {
		a.ret(s.action)
		return
	}
	for _, r := range s.rules.cond {
		fail := a.label()
		for _, c := range r.args {
			emitCond(a, c, fail)
		}
		a.ret(r.action)
		a.bind(fail)
	}
	if s.rules.has {
		a.ret(s.rules.action)
	} else {
		a.ret(def)
	}
}

// emitCond falls through when argument condition c holds and jumps to fail
// otherwise, comparing all 64 bits as two 32-bit words.
func emitCond(a *bpfAsm, c runtime.SeccompArg, fail int) {
	lo := uint32(seccompArgs + 8*c.Index)
	hi := lo + 4
	v, vhi := uint32(c.Value), uint32(c.Value>>32)
	pass := a.label()
	switch c.Op {
	case "SCMP_CMP_EQ":
		a.load(hi)
		a.jump(unix.BPF_JEQ, vhi, next, fail)
		a.load(lo)
		a.jump(unix.BPF_JEQ, v, next, fail)
	case "SCMP_CMP_NE":
		a.load(hi)
		a.jump(unix.BPF_JEQ, vhi, next, pass)
		a.load(lo)
		a.jump(unix.BPF_JEQ, v, fail, next)
	case "SCMP_CMP_MASKED_EQ":
		w, whi := uint32(c.ValueTwo), uint32(c.ValueTwo>>32)
		a.load(hi)
		a.and(vhi)
		a.jump(unix.BPF_JEQ, whi, next, fail)
		a.load(lo)
		a.and(v)
		a.jump(unix.BPF_JEQ, w, next, fail)
	case "SCMP_CMP_GT", "SCMP_CMP_GE":
		a.load(hi)
		a.jump(unix.BPF_JGT, vhi, pass, next)
		a.jump(unix.BPF_JEQ, vhi, next, fail)
		a.load(lo)
		op := uint16(unix.BPF_JGT)
		if c.Op == "SCMP_CMP_GE" {
			op = unix.BPF_JGE
		}
		a.jump(op, v, next, fail)
	case "SCMP_CMP_LT", "SCMP_CMP_LE":
		// The opposites of GE and GT.
		a.load(hi)
		a.jump(unix.BPF_JGT, vhi, fail, next)
		a.jump(unix.BPF_JEQ, vhi, next, pass)
		a.load(lo)
		op := uint16(unix.BPF_JGE)
		if c.Op == "SCMP_CMP_LE" {
			op = unix.BPF_JGT
		}
		a.jump(op, v, fail, next)
	}
	a.bind(pass)
}
