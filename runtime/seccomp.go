package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Seccomp is a seccomp profile in Docker's JSON format (the file given to
// security_opt: seccomp=PATH): a default action and rules by syscall name.
type Seccomp struct {
	DefaultAction   string        `json:"defaultAction"`
	DefaultErrnoRet *uint         `json:"defaultErrnoRet,omitempty"`
	Architectures   []string      `json:"architectures,omitempty"`
	ArchMap         []SeccompArch `json:"archMap,omitempty"`
	Syscalls        []SeccompRule `json:"syscalls,omitempty"`
	ListenerPath    string        `json:"listenerPath,omitempty"`
	Flags           []string      `json:"flags,omitempty"`
}

// SeccompArch names an architecture and those that run on it.
type SeccompArch struct {
	Arch      string   `json:"architecture"`
	SubArches []string `json:"subArchitectures"`
}

// SeccompRule gives the syscalls Names (or Name) an action, when every
// argument condition holds and the container's capabilities and
// architecture pass Includes and Excludes.
type SeccompRule struct {
	Name     string          `json:"name,omitempty"`
	Names    []string        `json:"names,omitempty"`
	Action   string          `json:"action"`
	ErrnoRet *uint           `json:"errnoRet,omitempty"`
	Args     []SeccompArg    `json:"args,omitempty"`
	Includes SeccompSelector `json:"includes"`
	Excludes SeccompSelector `json:"excludes"`
	Comment  string          `json:"comment,omitempty"`
}

// SeccompArg compares argument Index with Value: for SCMP_CMP_MASKED_EQ,
// the argument masked with Value must equal ValueTwo.
type SeccompArg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo"`
	Op       string `json:"op"`
}

// SeccompSelector limits a rule to containers with all of Caps, on one of
// Arches, on a kernel at least MinKernel ("major.minor").
type SeccompSelector struct {
	Caps      []string `json:"caps,omitempty"`
	Arches    []string `json:"arches,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`
}

// SeccompOps are the argument comparisons a profile may use.
var SeccompOps = []string{"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}

// SeccompActions are the actions a profile may give.
var SeccompActions = []string{"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"}

// ParseSeccomp reads a Docker seccomp profile and checks what the engine
// needs of it: known actions, comparisons and argument indexes, a name on
// every rule. Unknown syscall names are allowed (ignored, as Docker does).
func ParseSeccomp(data []byte) (*Seccomp, error) {
	var p Seccomp
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if p.ListenerPath != "" {
		return nil, errors.New("listenerPath: seccomp notification is not supported")
	}
	if len(p.Flags) > 0 {
		return nil, fmt.Errorf("flags %q: not supported", p.Flags)
	}
	if !known(SeccompActions, p.DefaultAction) {
		return nil, fmt.Errorf("defaultAction %q: want one of %s", p.DefaultAction, strings.Join(SeccompActions, ", "))
	}
	for i, r := range p.Syscalls {
		if r.Name == "" && len(r.Names) == 0 {
			return nil, fmt.Errorf("syscalls[%d]: no name", i)
		}
		if !known(SeccompActions, r.Action) {
			return nil, fmt.Errorf("syscalls[%d] action %q: want one of %s", i, r.Action, strings.Join(SeccompActions, ", "))
		}
		for _, a := range r.Args {
			if a.Index > 5 {
				return nil, fmt.Errorf("syscalls[%d] argument index %d: a syscall has 6 arguments", i, a.Index)
			}
			if !known(SeccompOps, a.Op) {
				return nil, fmt.Errorf("syscalls[%d] op %q: want one of %s", i, a.Op, strings.Join(SeccompOps, ", "))
			}
		}
		for _, k := range []string{r.Includes.MinKernel, r.Excludes.MinKernel} {
			if _, _, err := ParseKernelVersion(k); k != "" && err != nil {
				return nil, fmt.Errorf("syscalls[%d] minKernel: %w", i, err)
			}
		}
	}
	return &p, nil
}

// ParseKernelVersion reads "major.minor" (anything after is ignored).
func ParseKernelVersion(s string) (major, minor int, err error) {
	if n, _ := fmt.Sscanf(s, "%d.%d", &major, &minor); n != 2 {
		return 0, 0, fmt.Errorf("kernel version %q: want major.minor", s)
	}
	return major, minor, nil
}

func known(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
