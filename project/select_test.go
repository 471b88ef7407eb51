package project

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestSelect(t *testing.T) {
	cases := []struct {
		name     string
		dir      string
		select_  []string
		services []string
		volumes  []string
	}{
		{name: "no names keeps every service", dir: "include", services: []string{"db", "web"}},
		{name: "a service brings its dependencies", dir: "include", select_: []string{"web"}, services: []string{"db", "web"}},
		{name: "a dependency alone leaves its dependents out", dir: "include", select_: []string{"db"}, services: []string{"db"}},
		{name: "naming a service its profile disables enables it", dir: "profiles", select_: []string{"metrics"}, services: []string{"metrics"}},
		{name: "a glob selects every match", dir: "merge", select_: []string{"w*"}, services: []string{"web"}},
		{name: "volumes the selection does not use are dropped", dir: "unused", select_: []string{"web"}, services: []string{"web"}, volumes: []string{"data"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Open(context.Background(), Options{WorkingDir: "testdata/" + c.dir, Environ: []string{}})
			if err != nil {
				t.Fatal(err)
			}
			s, err := p.Select(c.select_...)
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			wantServices(t, s, c.services...)
			if got := s.Graph.Services(); !slices.Equal(got, c.services) {
				t.Errorf("graph services = %q, want %q", got, c.services)
			}
			if c.volumes != nil && !slices.Equal(s.VolumeNames(), c.volumes) {
				t.Errorf("volumes = %q, want %q", s.VolumeNames(), c.volumes)
			}
		})
	}
}

func TestSelectUnknownServiceFails(t *testing.T) {
	p, err := Open(context.Background(), Options{WorkingDir: "testdata/merge", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Select("nope")
	if !errors.Is(err, ErrNoService) || err.Error() != `select service "nope": no such service` {
		t.Errorf("err = %v, want no such service naming it", err)
	}
}

func TestImageNameDefaultsToProjectDashService(t *testing.T) {
	p, err := Load(context.Background(), Options{WorkingDir: "testdata/build", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ImageName(p, "nginx"); got != "build-nginx" {
		t.Errorf("ImageName = %q, want build-nginx", got)
	}
}
