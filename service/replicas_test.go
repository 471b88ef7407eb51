package service

import (
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestReplicas(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*types.ServiceConfig)
		scale map[string]int
		want  int
	}{
		{name: "defaults to one", want: 1},
		{name: "takes scale", edit: func(s *types.ServiceConfig) { s.Scale = ptr(3) }, want: 3},
		{name: "takes deploy.replicas", edit: func(s *types.ServiceConfig) { s.Deploy = &types.DeployConfig{Replicas: ptr(2)} }, want: 2},
		{name: "accepts equal scale and deploy.replicas", edit: func(s *types.ServiceConfig) {
			s.Scale = ptr(2)
			s.Deploy = &types.DeployConfig{Replicas: ptr(2)}
		}, want: 2},
		{name: "prefers scale flag", edit: func(s *types.ServiceConfig) {
			s.Scale = ptr(2)
			s.Deploy = &types.DeployConfig{Replicas: ptr(2)}
		}, scale: map[string]int{"web": 5}, want: 5},
		{name: "scale flag for another service leaves it", scale: map[string]int{"db": 5}, want: 1},
		{name: "scale flag to zero", edit: func(s *types.ServiceConfig) { s.Scale = ptr(2) }, scale: map[string]int{"web": 0}, want: 0},
		{name: "container_name with one replica", edit: func(s *types.ServiceConfig) { s.ContainerName = "w" }, want: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Replicas(testService("web", opt(c.edit)), c.scale)
			if err != nil || got != c.want {
				t.Fatalf("Replicas = %d, %v; want %d", got, err, c.want)
			}
		})
	}
}

func TestReplicasRefuses(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*types.ServiceConfig)
		scale map[string]int
		want  string
	}{
		{name: "scale and deploy.replicas that differ", edit: func(s *types.ServiceConfig) {
			s.Scale = ptr(2)
			s.Deploy = &types.DeployConfig{Replicas: ptr(3)}
		}, want: `replicas of service "web": invalid: scale (2) and deploy.replicas (3) differ`},
		{name: "negative scale flag", scale: map[string]int{"web": -1}, want: `--scale -1 is negative`},
		{name: "negative deploy.replicas", edit: func(s *types.ServiceConfig) { s.Deploy = &types.DeployConfig{Replicas: ptr(-2)} },
			want: `deploy.replicas -2 is negative`},
		{name: "container_name scaled by flag", edit: func(s *types.ServiceConfig) { s.ContainerName = "w" },
			scale: map[string]int{"web": 2}, want: `scale service "web" to 2: invalid: container_name "w" must be unique`},
		{name: "container_name scaled in file", edit: func(s *types.ServiceConfig) {
			s.ContainerName = "w"
			s.Scale = ptr(3)
		}, want: `scale service "web" to 3`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Replicas(testService("web", opt(c.edit)), c.scale)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v; want one containing %q", err, c.want)
			}
		})
	}
}

// opt makes a nil edit a no-op.
func opt(edit func(*types.ServiceConfig)) func(*types.ServiceConfig) {
	if edit == nil {
		return func(*types.ServiceConfig) {}
	}
	return edit
}
