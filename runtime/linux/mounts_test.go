package linux

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stackorch/stack/runtime"
)

func TestBindsVolumesFromContentDevicesAndOOMScore(t *testing.T) {
	e := newEngine(t)
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "f"), []byte("host-data\n"), 0o644)
	mode := uint32(0o440)
	spec := sh("t-mounts-1", "cat /data/f; echo x > /data/g && echo wrote; stat -c '%a %u:%g' /run/secrets/s; cat /run/secrets/s; [ -c /dev/mynull ] && echo dev; cat /proc/self/oom_score_adj")
	spec.Mounts = []runtime.Mount{
		{Type: runtime.MountBind, Source: data, Target: "/data"},
		{Type: runtime.MountBind, Target: "/run/secrets/s", Content: []byte("sekrit\n"), UID: "1000", GID: "1001", Mode: &mode},
	}
	spec.Devices = []runtime.Device{{Source: "/dev/null", Target: "/dev/mynull"}}
	spec.OOMScoreAdj = 500
	out, code := output(t, e, spec)
	want := "host-data\nwrote\n440 1000:1001\nsekrit\ndev\n500\n"
	if code != 0 || out != want {
		t.Fatalf("out = %q (exit %d), want %q", out, code, want)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "g")); string(b) != "x\n" {
		t.Errorf("write through the bind did not reach the host: %q", b)
	}
	// volumes_from takes the first container's binds, read-only when asked.
	spec = sh("t-mounts-2", "cat /data/f; echo y > /data/h 2>/dev/null || echo read-only")
	spec.VolumesFrom = []string{"t-mounts-1:ro"}
	if out, _ := output(t, e, spec); out != "host-data\nread-only\n" {
		t.Fatalf("volumes_from: %q", out)
	}
}
