package linux

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// bpfAsm assembles a classic BPF program with forward jumps to labels.
type bpfAsm struct {
	ins    []unix.SockFilter
	labels []int // label -> instruction index, -1 until bound
	fixups []bpfFixup
}

// bpfFixup is a jump whose target labels are resolved at the end.
type bpfFixup struct {
	at     int
	jt, jf int // labels; -1: the next instruction (no jump)
	always bool
}

const next = -1

func (a *bpfAsm) label() int {
	a.labels = append(a.labels, -1)
	return len(a.labels) - 1
}

func (a *bpfAsm) bind(l int) { a.labels[l] = len(a.ins) }

func (a *bpfAsm) emit(code uint16, k uint32) {
	a.ins = append(a.ins, unix.SockFilter{Code: code, K: k})
}

// load puts the 32-bit word at off of struct seccomp_data in A.
func (a *bpfAsm) load(off uint32) { a.emit(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, off) }

func (a *bpfAsm) ret(k uint32) { a.emit(unix.BPF_RET|unix.BPF_K, k) }

func (a *bpfAsm) and(k uint32) { a.emit(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, k) }

// jump compares A with k (op is BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET) and
// goes to label jt when true, jf when false.
func (a *bpfAsm) jump(op uint16, k uint32, jt, jf int) {
	a.fixups = append(a.fixups, bpfFixup{at: len(a.ins), jt: jt, jf: jf})
	a.emit(unix.BPF_JMP|op|unix.BPF_K, k)
}

// goTo jumps to l whatever its distance.
func (a *bpfAsm) goTo(l int) {
	a.fixups = append(a.fixups, bpfFixup{at: len(a.ins), jt: l, always: true})
	a.emit(unix.BPF_JMP|unix.BPF_JA, 0)
}

// program resolves the jumps. A conditional jump reaches at most 255
// instructions ahead: the compiler keeps them short (long ones go through
// goTo), so a longer one is an error, not a silent wrap.
func (a *bpfAsm) program() ([]unix.SockFilter, error) {
	if len(a.ins) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("seccomp program of %d instructions: the kernel takes at most %d", len(a.ins), unix.BPF_MAXINSNS)
	}
	off := func(from, l int) (int, error) {
		if l == next {
			return 0, nil
		}
		to := a.labels[l]
		if to < 0 {
			return 0, fmt.Errorf("seccomp program: label %d never bound", l)
		}
		return to - from - 1, nil
	}
	for _, f := range a.fixups {
		t, err := off(f.at, f.jt)
		if err != nil {
			return nil, err
		}
		if f.always {
			a.ins[f.at].K = uint32(t)
			continue
		}
		e, err := off(f.at, f.jf)
		if err != nil {
			return nil, err
		}
		if t < 0 || t > 255 || e < 0 || e > 255 {
			return nil, fmt.Errorf("seccomp program: a jump at %d reaches %d/%d instructions ahead (at most 255)", f.at, t, e)
		}
		a.ins[f.at].Jt, a.ins[f.at].Jf = uint8(t), uint8(e)
	}
	return a.ins, nil
}

// encodeBPF packs a program for the init config: 8 bytes an instruction.
func encodeBPF(p []unix.SockFilter) []byte {
	out := make([]byte, 0, 8*len(p))
	for _, in := range p {
		out = binary.LittleEndian.AppendUint16(out, in.Code)
		out = append(out, in.Jt, in.Jf)
		out = binary.LittleEndian.AppendUint32(out, in.K)
	}
	return out
}

func decodeBPF(b []byte) []unix.SockFilter {
	out := make([]unix.SockFilter, len(b)/8)
	for i := range out {
		in := b[8*i:]
		out[i] = unix.SockFilter{Code: binary.LittleEndian.Uint16(in), Jt: in[2], Jf: in[3], K: binary.LittleEndian.Uint32(in[4:])}
	}
	return out
}
