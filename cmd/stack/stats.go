package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
)

// statsRow is one container as `docker stats --format json` prints it.
type statsRow struct {
	BlockIO, CPUPerc, Container, ID, MemPerc, MemUsage, Name, NetIO, PIDs string
}

func newStatsCommand(g *globalFlags) *cobra.Command {
	var all, noStream, noTrunc bool
	var format string
	cmd := &cobra.Command{
		Use:   "stats [OPTIONS] [SERVICE]",
		Short: "Display a live stream of container(s) resource usage statistics",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, reading, args)
			if err != nil {
				return err
			}
			defer s.close()
			for first := true; ; first = false {
				cs, err := s.containers(ctx, listOptions{services: services, stopped: all})
				if err != nil {
					return err
				}
				rows := sampleStats(cs, noTrunc)
				if !noStream && !first && format != "json" {
					fmt.Fprint(cmd.OutOrStdout(), "\x1b[2J\x1b[H") // redraw, as docker stats does
				}
				err = printFormatted(cmd.OutOrStdout(), format, rows,
					[]string{"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"},
					func(r statsRow) []string {
						return []string{r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs}
					})
				if err != nil || noStream {
					return err
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(time.Second):
				}
			}
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Show all containers (default shows just running)")
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "Do not truncate output")
	cmd.Flags().StringVar(&format, "format", "table", "Format output: table, json or a Go template")
	return cmd
}

// sampleStats reads each container's cgroups twice, half a second apart,
// for its CPU use.
func sampleStats(cs []runtime.State, noTrunc bool) []statsRow {
	before := map[string]cpuSample{}
	for _, c := range cs {
		before[c.ID] = readCPU(c.ID)
	}
	if len(cs) > 0 {
		time.Sleep(500 * time.Millisecond)
	}
	rows := []statsRow{}
	for _, c := range cs {
		id := c.ID
		if !noTrunc {
			id = id[:12]
		}
		r := statsRow{Container: id, ID: id, Name: c.Name, CPUPerc: "0.00%", MemUsage: "0B / 0B", MemPerc: "0.00%",
			NetIO: "0B / 0B", BlockIO: "0B / 0B", PIDs: "0"}
		if c.Running() {
			after := readCPU(c.ID)
			if wall := after.at.Sub(before[c.ID].at).Nanoseconds(); wall > 0 {
				r.CPUPerc = fmt.Sprintf("%.2f%%", float64(after.used-before[c.ID].used)/float64(wall)*100)
			}
			usage, limit := memory(c.ID)
			r.MemUsage = units.BytesSize(float64(usage)) + " / " + units.BytesSize(float64(limit))
			if limit > 0 {
				r.MemPerc = fmt.Sprintf("%.2f%%", float64(usage)/float64(limit)*100)
			}
			rx, tx := netIO(c.Pid)
			r.NetIO = units.HumanSizeWithPrecision(float64(rx), 3) + " / " + units.HumanSizeWithPrecision(float64(tx), 3)
			pids := cgroupPids(c.ID)
			r.PIDs = fmt.Sprint(len(pids))
			read, written := blockIO(c.ID, pids)
			r.BlockIO = units.HumanSizeWithPrecision(float64(read), 3) + " / " + units.HumanSizeWithPrecision(float64(written), 3)
		}
		rows = append(rows, r)
	}
	return rows
}

type cpuSample struct {
	used int64 // nanoseconds of CPU
	at   time.Time
}

func readCPU(id string) cpuSample {
	s := cpuSample{at: time.Now()}
	if n, ok := readInt("/sys/fs/cgroup/cpuacct/stack/" + id + "/cpuacct.usage"); ok {
		s.used = n
	} else if data, err := os.ReadFile("/sys/fs/cgroup/stack/" + id + "/cpu.stat"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "usage_usec "); ok {
				var us int64
				fmt.Sscan(v, &us)
				s.used = us * 1000
			}
		}
	}
	return s
}

// memory is the container's memory use less its page cache, and its
// limit (the host's memory when it has none), as docker stats shows them.
func memory(id string) (usage, limit int64) {
	v1 := "/sys/fs/cgroup/memory/stack/" + id + "/"
	if u, ok := readInt(v1 + "memory.usage_in_bytes"); ok {
		usage = u - statValue(v1+"memory.stat", "total_inactive_file")
		limit, _ = readInt(v1 + "memory.limit_in_bytes")
	} else {
		v2 := "/sys/fs/cgroup/stack/" + id + "/"
		u, _ := readInt(v2 + "memory.current")
		usage = u - statValue(v2+"memory.stat", "inactive_file")
		limit, _ = readInt(v2 + "memory.max")
	}
	if total := hostMemory(); limit <= 0 || limit > total {
		limit = total
	}
	return max(usage, 0), limit
}

// netIO sums the bytes received and sent on the container's interfaces.
func netIO(pid int) (rx, tx int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n")[2:] {
		name, rest, ok := strings.Cut(line, ":")
		f := strings.Fields(rest)
		if !ok || strings.TrimSpace(name) == "lo" || len(f) < 9 {
			continue
		}
		var r, t int64
		fmt.Sscan(f[0], &r)
		fmt.Sscan(f[8], &t)
		rx, tx = rx+r, tx+t
	}
	return rx, tx
}

// blockIO is what the container read from and wrote to block devices:
// its cgroup's io.stat on cgroup v2; on v1, where containers join no blkio
// hierarchy (one migration less at each start), the storage I/O of its
// processes (/proc/PID/io), which forgets those that have exited.
func blockIO(id string, pids []int) (read, written int64) {
	if data, err := os.ReadFile("/sys/fs/cgroup/stack/" + id + "/io.stat"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			for _, f := range strings.Fields(line) {
				var n int64
				if v, ok := strings.CutPrefix(f, "rbytes="); ok {
					fmt.Sscan(v, &n)
					read += n
				} else if v, ok := strings.CutPrefix(f, "wbytes="); ok {
					fmt.Sscan(v, &n)
					written += n
				}
			}
		}
		return read, written
	}
	for _, pid := range pids {
		io := fmt.Sprintf("/proc/%d/io", pid)
		read += statValue(io, "read_bytes:")
		written += statValue(io, "write_bytes:")
	}
	return read, written
}

func readInt(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	var n int64
	_, err = fmt.Sscan(strings.TrimSpace(string(data)), &n)
	return n, err == nil
}

func statValue(path, key string) int64 {
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			var n int64
			fmt.Sscan(v, &n)
			return n
		}
	}
	return 0
}

func hostMemory() int64 {
	return statValue("/proc/meminfo", "MemTotal:") * 1024
}
