package arch

import (
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

// heavy are modules a container's monitor must not link: containerd's
// cgroups library and what it pulls in. Every package linked runs its init
// and keeps its tables in every monitor, one per container; the engine
// makes the cgroup (runtime/linux/limits) and the monitor only uses its
// files.
var heavy = []string{
	"github.com/containerd/cgroups",
	"google.golang.org/protobuf",
	"github.com/cilium/ebpf",
	"github.com/godbus",
}

func TestShimLinksNoCgroupsLibrary(t *testing.T) {
	_, file, _, _ := goruntime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	out, err := exec.Command(goBin, "list", "-C", root, "-deps", "./cmd/stack-shim").Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/stack-shim: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, h := range heavy {
			if dep == h || strings.HasPrefix(dep, h+"/") {
				t.Errorf("cmd/stack-shim links %s", dep)
			}
		}
	}
}
