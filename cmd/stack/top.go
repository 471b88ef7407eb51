package main

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

func newTopCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "top [SERVICES...]",
		Short: "Display the running processes",
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.onContainers(cmd.Context(), reading, args, listOptions{}, func(_ *session, _ []string, cs []runtime.State) error {
				printTop(cmd.OutOrStdout(), cs)
				return nil
			})
		},
	}
}

// printTop prints each container's name and its processes.
func printTop(w io.Writer, cs []runtime.State) {
	for i, c := range cs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, c.Name)
		printProcesses(w, cgroupPids(c.ID))
	}
}

// cgroupPids lists the processes in the container's cgroup.
func cgroupPids(id string) []int {
	for _, dir := range []string{"/sys/fs/cgroup/memory/stack", "/sys/fs/cgroup/pids/stack", "/sys/fs/cgroup/stack"} {
		data, err := os.ReadFile(filepath.Join(dir, id, "cgroup.procs"))
		if err != nil {
			continue
		}
		var pids []int
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
		return pids
	}
	return nil
}

// printProcesses prints pids as `ps -ef` does, which docker top runs.
func printProcesses(w io.Writer, pids []int) {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD")
	ticks := 100.0 // USER_HZ
	boot := bootTime()
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// comm may hold spaces: the fields after it start past the last ')'.
		rest := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		if len(rest) < 20 {
			continue
		}
		ppid, tty := rest[1], rest[4]
		utime, _ := strconv.ParseFloat(rest[11], 64)
		stime, _ := strconv.ParseFloat(rest[12], 64)
		start, _ := strconv.ParseFloat(rest[19], 64)
		started := boot.Add(time.Duration(start / ticks * float64(time.Second)))
		cpu := (utime + stime) / ticks
		c := 0
		if el := time.Since(started).Seconds(); el > 0 {
			c = int(cpu / el * 100)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\n", owner(pid), pid, ppid, c, started.Format("15:04"),
			ttyName(tty), cpuTime(cpu), cmdline(pid))
	}
	tw.Flush()
}

func owner(pid int) string {
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d", pid), &st); err != nil {
		return "?"
	}
	uid := strconv.Itoa(int(st.Uid))
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return uid
}

func ttyName(nr string) string {
	n, _ := strconv.Atoi(nr)
	if n == 0 {
		return "?"
	}
	if major := (n >> 8) & 0xfff; major == 136 {
		return fmt.Sprintf("pts/%d", (n&0xff)|((n>>12)&0xfff00))
	}
	return "?"
}

func cpuTime(secs float64) string {
	t := int(secs)
	return fmt.Sprintf("%02d:%02d:%02d", t/3600, t/60%60, t%60)
}

func cmdline(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if s := strings.TrimRight(strings.ReplaceAll(string(data), "\x00", " "), " "); s != "" {
		return s
	}
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return "[" + strings.TrimSpace(string(comm)) + "]"
}

func bootTime() time.Time {
	data, _ := os.ReadFile("/proc/stat")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Unix(n, 0)
		}
	}
	return time.Now()
}
