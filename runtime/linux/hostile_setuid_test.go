package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

// whoSource prints the effective uid and capabilities it runs with.
const whoSource = `package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "CapEff:") {
			fmt.Printf("euid=%d %s\n", os.Geteuid(), strings.Join(strings.Fields(line), " "))
		}
	}
}
`

// A setuid-root program in an image is kept as Docker keeps it, and
// contained: run by a user, it gets root's uid but no capability beyond
// the container's bounding set; with no-new-privileges, not even the uid.
func TestASetuidProgramFromAnImageIsContained(t *testing.T) {
	e := newEngine(t)
	layers := images.extra[programImage(t, "who", whoSource)]
	suid := t.TempDir()
	os.MkdirAll(filepath.Join(suid, "bin"), 0o755)
	data, err := os.ReadFile(filepath.Join(layers[len(layers)-1], "bin/who"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(suid, "bin/suid-who")
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o4755|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	images.extra["suid"] = append(append([]string{}, layers...), suid)
	var bounding uint64
	for _, c := range DefaultCaps {
		bounding |= 1 << capNames[c]
	}
	for _, nnp := range []bool{false, true} {
		spec := runtime.Spec{Name: "t-suid-" + strconv.FormatBool(nnp), Image: "suid", User: "app", Command: []string{"/bin/suid-who"}}
		if nnp {
			spec.SecurityOpt = []string{"no-new-privileges:true"}
		}
		out, code := output(t, e, spec)
		var euid int
		var capHex string
		if _, err := fmt.Sscanf(strings.TrimSpace(out), "euid=%d CapEff: %s", &euid, &capHex); err != nil || code != 0 {
			t.Fatalf("no-new-privileges=%v: %q, exit %d", nnp, out, code)
		}
		caps, _ := strconv.ParseUint(capHex, 16, 64)
		switch {
		case !nnp && (euid != 0 || caps&^bounding != 0):
			t.Errorf("setuid root as app: euid %d, CapEff %#x: want 0 and nothing beyond the default set %#x", euid, caps, bounding)
		case nnp && (euid != 1000 || caps != 0):
			t.Errorf("setuid root as app under no-new-privileges: euid %d, CapEff %#x: want 1000 and none", euid, caps)
		}
	}
}
