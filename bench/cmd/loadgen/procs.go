package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// usage is what a set of processes holds.
type usage struct {
	Procs   int `json:"procs"`
	PSSKiB  int `json:"pss_kib"`
	AnonKiB int `json:"anon_kib"` // private anonymous memory: the Go heaps and stacks, no shared text
	FDs     int `json:"fds"`
	Threads int `json:"threads"`
}

func (u *usage) add(pid int) {
	u.Procs++
	u.PSSKiB += field(pid, "smaps_rollup", "Pss:")
	u.AnonKiB += field(pid, "smaps_rollup", "Anonymous:")
	u.Threads += field(pid, "status", "Threads:")
	if fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd")); err == nil {
		u.FDs += len(fds)
	}
}

// stackProcs finds the monitors of the stack root (their command line is
// "stack monitor ROOT RUN ID") and the inits they started (their children
// that are stack too: a container's PID 1).
func stackProcs(root string) (monitors, inits []int) {
	ents, _ := os.ReadDir("/proc")
	type proc struct{ pid, ppid int }
	var all []proc
	mon := map[int]bool{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		argv := cmdline(pid)
		if len(argv) < 2 || argv[0] != "stack" {
			continue
		}
		if argv[1] == "monitor" && len(argv) > 2 && filepath.Clean(argv[2]) == filepath.Clean(root) {
			mon[pid] = true
			monitors = append(monitors, pid)
			continue
		}
		all = append(all, proc{pid, ppid(pid)})
	}
	for _, p := range all {
		if mon[p.ppid] {
			inits = append(inits, p.pid)
		}
	}
	return monitors, inits
}

func cmdline(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
}

func ppid(pid int) int {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	// pid (comm) state ppid ...: comm may hold spaces, so start after ")".
	if i := bytes.LastIndexByte(b, ')'); i >= 0 {
		if f := strings.Fields(string(b[i+1:])); len(f) > 1 {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// field reads the number after key in /proc/PID/file (kB for memory).
func field(pid int, file, key string) int {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), file))
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}
