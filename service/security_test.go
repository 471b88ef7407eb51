package service

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestSeccompProfilePathIsReadFromTheProjectDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.json"), []byte("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"), 0o644)
	p := testProject(testService("web", func(s *types.ServiceConfig) {
		s.SecurityOpt = []string{"no-new-privileges:true", "seccomp=p.json", "label=disable"}
	}))
	p.WorkingDir = dir
	s, err := Spec(p, "web", 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"no-new-privileges:true", `seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`, "label=disable"}
	if strings.Join(s.SecurityOpt, "|") != strings.Join(want, "|") {
		t.Fatalf("security_opt = %q, want %q", s.SecurityOpt, want)
	}
}

func TestSeccompUnconfinedPassesAsWritten(t *testing.T) {
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.SecurityOpt = []string{"seccomp:unconfined"} }))
	s, err := Spec(p, "web", 1, Options{})
	if err != nil || len(s.SecurityOpt) != 1 || s.SecurityOpt[0] != "seccomp:unconfined" {
		t.Fatalf("security_opt = %q, %v", s.SecurityOpt, err)
	}
}

func TestBadSeccompProfileNamesTheServiceAndTheFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"defaultAction": `), 0o644)
	for _, file := range []string{"bad.json", "broken.json", "missing.json"} {
		p := testProject(testService("web", func(s *types.ServiceConfig) { s.SecurityOpt = []string{"seccomp=" + file} }))
		p.WorkingDir = dir
		_, err := Spec(p, "web", 1, Options{})
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"web"`) ||
			!strings.Contains(err.Error(), filepath.Join(dir, file)) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line naming the service and the file", file, err)
		}
	}
}
