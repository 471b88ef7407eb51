package project

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Select narrows p to the named services and every service they depend
// on, as `docker compose up web` does: a named service that its profiles
// disable is enabled, and networks and volumes no selected service uses are
// dropped. A name may be a glob (web-*). With no names, Select returns p.
func (p *Project) Select(names ...string) (*Project, error) {
	if len(names) == 0 {
		return p, nil
	}
	all := p.AllServices()
	for _, n := range names {
		if !matchesAny(n, all) {
			return nil, fmt.Errorf("select service %q: %w", n, ErrNoService)
		}
	}
	enabled, err := p.WithServicesEnabled(names...)
	if err != nil {
		return nil, fmt.Errorf("select services %s: %w", strings.Join(names, ", "), err)
	}
	selected, err := enabled.WithSelectedServices(names)
	if err != nil {
		return nil, fmt.Errorf("select services %s: %w", strings.Join(names, ", "), err)
	}
	selected = selected.WithoutUnnecessaryResources()
	g, err := NewGraph(selected)
	if err != nil {
		return nil, err
	}
	return &Project{Project: selected, Graph: g}, nil
}

func matchesAny[T any](pattern string, names map[string]T) bool {
	if _, ok := names[pattern]; ok {
		return true
	}
	for n := range names {
		if ok, _ := filepath.Match(pattern, n); ok {
			return true
		}
	}
	return false
}

// ImageName is the image a service runs: its image:, else the name Compose
// gives the image it builds, <project>-<service>.
func ImageName(p *types.Project, service string) string {
	if s, ok := p.Services[service]; ok && s.Image != "" {
		return s.Image
	}
	return p.Name + "-" + service
}
