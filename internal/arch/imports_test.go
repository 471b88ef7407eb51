// Package arch holds tests of the code's shape: which package may import
// which, as DESIGN.md lays out.
package arch

import (
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

const module = "github.com/stackorch/stack"

// allowed lists, per package of ours, the packages of ours it may import
// (directly or not). "internal" stands for every package under internal/.
var allowed = map[string][]string{
	"project":             {},
	"runtime":             {"internal"},
	"runtime/runtimetest": {"runtime", "internal"},
	"runtime/linux":       {"runtime/linux/reaper", "runtime", "network", "internal"},
	"image":               {"internal"},
	"network":             {"runtime", "internal"},
	"volume":              {"internal"},
	"service":             {"runtime", "internal"},
	// The shim stays lean: a monitor and an init pay for every package
	// linked in, in every container.
	"cmd/stack-shim": {"runtime/linux", "runtime/linux/reaper", "runtime", "network", "internal"},
	// containerd's cgroups library, for the engine's side alone: the CLI
	// passes it in, and a monitor links none of it (shim_test.go).
	"runtime/linux/limits": {"runtime"},
	// A container's init ends as this one, for the container's whole
	// life: it links nothing of ours but the reaper.
	"runtime/linux/reaper": {},
	"cmd/stack-init":       {"runtime/linux/reaper"},
	"scheduler":            {"project", "service", "runtime", "image", "network", "volume", "internal"},
}

func TestImportsPointOneWay(t *testing.T) {
	_, file, _, _ := goruntime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	list := func(args ...string) []string {
		out, err := exec.Command(goBin, append([]string{"list", "-C", root, "-f", "{{.ImportPath}}"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	for _, pkg := range list("./...") {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		rules, ok := allowed[rel]
		if !ok {
			continue // cmd/stack and internal/...: anything
		}
		for _, dep := range list("-deps", pkg) {
			d, ours := strings.CutPrefix(dep, module+"/")
			if dep != pkg && ours && !permitted(d, rules) {
				t.Errorf("%s imports %s: DESIGN.md allows it only %v", rel, d, rules)
			}
		}
	}
}

// permitted reports whether dep is one of rules; "internal" covers every
// package under internal/.
func permitted(dep string, rules []string) bool {
	for _, r := range rules {
		if dep == r || r == "internal" && strings.HasPrefix(dep, "internal/") {
			return true
		}
	}
	return false
}
