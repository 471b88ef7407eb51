package linux

import (
	"context"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

func TestMemoryLimitOOMKillsWith137(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-oom-1", "tail /dev/zero")
	spec.Resources.Memory = 16 << 20
	st := run(t, e, spec)
	st = waitExit(t, e, st.ID)
	if st.ExitCode != 137 || !st.OOMKilled {
		t.Fatalf("exit %d oom %v, want 137 and OOM-killed", st.ExitCode, st.OOMKilled)
	}
}

func TestPidsLimitCountsTheServiceNotInit(t *testing.T) {
	e := newEngine(t)
	// The shell and four sleeps make five; the fifth sleep cannot fork. The
	// thread of init that forked the shell counts until it has moved back
	// out, a moment after the fork: the shell waits that moment out.
	spec := sh("t-pids-1", "sleep 0.2; for i in 1 2 3 4 5 6; do sleep 30 & echo $i; done")
	spec.Resources.PidsLimit = 5
	out, code := output(t, e, spec)
	if out != "1\n2\n3\n4\n" || code == 0 {
		t.Fatalf("out = %q, exit %d; want 4 forks then a failure", out, code)
	}
	if !strings.Contains(logText(t, e, mustResolve(t, e, "t-pids-1")), "can't fork") {
		t.Errorf("no fork failure logged")
	}
}

func TestCPULimitsAreWrittenToTheCgroup(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-cpu-1", "cat /proc/self/cgroup >/dev/null; sleep 30")
	spec.Resources = runtime.Resources{NanoCPUs: 500_000_000, CPUShares: 512, PidsLimit: 100}
	st := run(t, e, spec)
	read := func(p string) string { return strings.TrimSpace(readFile(t, "/sys/fs/cgroup/"+p)) }
	if q := read("cpu/stack/" + st.ID + "/cpu.cfs_quota_us"); q != "50000" {
		t.Errorf("cfs quota = %s, want 50000", q)
	}
	if s := read("cpu/stack/" + st.ID + "/cpu.shares"); s != "512" {
		t.Errorf("shares = %s, want 512", s)
	}
	if p := read("pids/stack/" + st.ID + "/pids.max"); p != "100" {
		t.Errorf("pids.max = %s, want 100", p)
	}
	if err := e.Stop(context.Background(), st.ID, 0); err != nil {
		t.Fatal(err)
	}
}

func TestCapabilitiesFollowDockerDefaultsAndOverrides(t *testing.T) {
	e := newEngine(t)
	grep := "grep -E '^Cap(Bnd|Eff|Prm|Inh|Amb)' /proc/self/status | tr -s '\\t' ' '"
	out, _ := output(t, e, sh("t-caps-1", grep))
	// Docker's 14: chown dac_override fowner fsetid kill setgid setuid setpcap
	// net_bind_service net_raw sys_chroot mknod audit_write setfcap.
	const docker = "00000000a80425fb"
	for _, want := range []string{"CapBnd: " + docker, "CapEff: " + docker, "CapPrm: " + docker, "CapInh: 0000000000000000", "CapAmb: 0000000000000000"} {
		if !strings.Contains(out, want) {
			t.Errorf("default caps: %q lacks %q", out, want)
		}
	}
	spec := sh("t-caps-2", grep)
	spec.CapDrop = []string{"ALL"}
	spec.CapAdd = []string{"NET_ADMIN"}
	if out, _ := output(t, e, spec); !strings.Contains(out, "CapEff: 0000000000001000") {
		t.Errorf("cap_drop ALL + NET_ADMIN: %q", out)
	}
	spec = sh("t-caps-3", grep)
	spec.User = "app"
	if out, _ := output(t, e, spec); !strings.Contains(out, "CapEff: 0000000000000000") || !strings.Contains(out, "CapBnd: "+docker) {
		t.Errorf("non-root user keeps effective caps: %q", out)
	}
	spec = sh("t-caps-4", "grep NoNewPrivs /proc/self/status")
	spec.SecurityOpt = []string{"no-new-privileges:true"}
	if out, _ := output(t, e, spec); !strings.Contains(out, "1") {
		t.Errorf("no-new-privileges: %q", out)
	}
}

func TestUlimitsLowerAndRefuseRaisingHardLimit(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-ulimit-1", "ulimit -n; ulimit -Hn")
	spec.Ulimits = []runtime.Ulimit{{Name: "nofile", Soft: 512, Hard: 1024}}
	if out, _ := output(t, e, spec); out != "512\n1024\n" {
		t.Fatalf("ulimit: %q", out)
	}
	if hostCaps()["SYS_RESOURCE"] {
		t.Skip("this host grants CAP_SYS_RESOURCE: raising a hard limit is allowed")
	}
	spec = sh("t-ulimit-2", "true")
	spec.Image = "busybox"
	spec.Ulimits = []runtime.Ulimit{{Name: "nofile", Soft: 1 << 40, Hard: 1 << 40}}
	_, err := e.Create(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), "CAP_SYS_RESOURCE") {
		t.Fatalf("raising nofile hard limit: %v", err)
	}
}

func TestSysctlsNamespacedOnly(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-sysctl-1", "cat /proc/sys/net/ipv4/ip_forward")
	spec.Sysctls = map[string]string{"net.ipv4.ip_forward": "1"}
	if out, _ := output(t, e, spec); out != "1\n" {
		t.Fatalf("sysctl: %q", out)
	}
	spec = sh("t-sysctl-2", "true")
	spec.Image = "busybox"
	spec.Sysctls = map[string]string{"vm.swappiness": "1"}
	if _, err := e.Create(context.Background(), spec); err == nil || !strings.Contains(err.Error(), "not namespaced") {
		t.Fatalf("host sysctl accepted: %v", err)
	}
}

func TestReadOnlyRootWithTmpfsAndShmSize(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-ro-1", "touch /x 2>/dev/null && echo wrote-root; touch /scratch/x && echo wrote-tmpfs; df -k /dev/shm | tail -1 | awk '{print $2}'")
	spec.ReadOnly = true
	spec.Tmpfs = []string{"/scratch"}
	spec.ShmSize = 8 << 20
	if out, _ := output(t, e, spec); out != "wrote-tmpfs\n8192\n" {
		t.Fatalf("out = %q", out)
	}
}

func TestLimitTheKernelRefusesIsAClearErrorAndLeavesNothing(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	spec := sh("t-badlimit-1", "true")
	spec.Image = "busybox"
	spec.Resources.CPUSet = "999"
	st, err := e.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	err = e.Start(ctx, st.ID)
	if err == nil || !strings.Contains(err.Error(), `start container "t-badlimit-1": create cgroup`) || !strings.Contains(err.Error(), "cpuset.cpus") {
		t.Fatalf("err = %v", err)
	}
	if strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("error is more than one line: %q", err)
	}
	if cg := loadCgroup(st.ID); cg != nil {
		t.Error("cgroup left after a refused limit")
	}
	if monitorAlive(e.o.Paths.lockFile(st.ID)) {
		t.Error("monitor left after a refused limit")
	}
}
