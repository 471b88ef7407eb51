package service

import (
	"errors"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestContainerName(t *testing.T) {
	if got := ContainerName("demo", "web", 3); got != "demo-web-3" {
		t.Fatalf("ContainerName = %q", got)
	}
}

func TestOneOffNameCutsTheSlugTo12(t *testing.T) {
	cases := map[string]string{
		"0123456789abcdef0123456789abcdef": "demo-web-run-0123456789ab",
		"abc":                              "demo-web-run-abc",
	}
	for slug, want := range cases {
		if got := OneOffName("demo", "web", slug); got != want {
			t.Errorf("OneOffName(%q) = %q, want %q", slug, got, want)
		}
	}
}

func TestNameHonoursContainerName(t *testing.T) {
	p := testProject()
	plain := testService("web")
	named := testService("web", func(s *types.ServiceConfig) { s.ContainerName = "my-web" })
	if got, err := Name(p, plain, 2); err != nil || got != "demo-web-2" {
		t.Errorf("Name(plain, 2) = %q, %v", got, err)
	}
	if got, err := Name(p, named, 1); err != nil || got != "my-web" {
		t.Errorf("Name(named, 1) = %q, %v", got, err)
	}
	if _, err := Name(p, named, 2); !errors.Is(err, ErrInvalid) {
		t.Errorf("Name(named, 2) error = %v, want ErrInvalid", err)
	}
	if _, err := Name(p, plain, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("Name(plain, 0) error = %v, want ErrInvalid", err)
	}
}
