package main

import (
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/registrytest"
)

// A registry other than localhost is reached over plain http only when
// STACK_INSECURE_REGISTRIES names it, by up's pulls as by stack pull.
func TestUpPullsOverPlainHTTPOnlyFromRegistriesListedInsecure(t *testing.T) {
	t.Parallel()
	reg := registrytest.Start(t, registrytest.Options{Host: "127.0.0.2"})
	name := reg + "/test/box:1"
	p := newProject(t, "name: pull\nservices:\n  app: {image: "+name+", command: sleep 1d}\n")
	insecure := append(p.env(), "STACK_INSECURE_REGISTRIES=other.example, "+reg)
	p.ok("image", "tag", "busybox:latest", name)
	if r := runStack(t, p.dir, insecure, "image", "push", name); r.code != 0 {
		t.Fatalf("push to %s listed insecure: %+v", reg, r)
	}
	p.ok("image", "rm", name)
	if r := p.run("up", "-d"); r.code != 1 || !strings.Contains(r.stderr, "not found here, and pull image") {
		t.Fatalf("up pulling from %s not listed insecure: %+v", reg, r)
	}
	if r := runStack(t, p.dir, insecure, "up", "-d"); r.code != 0 {
		t.Fatalf("up pulling from %s listed insecure: %+v", reg, r)
	}
	if got := p.ps()["pull-app-1"]; got.State != "running" {
		t.Errorf("after the pull: %+v", got)
	}
}
