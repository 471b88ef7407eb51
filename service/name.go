package service

import (
	"fmt"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// ContainerName is the name of replica n of a service: <project>-<service>-<n>.
func ContainerName(project, service string, n int) string {
	return project + "-" + service + "-" + strconv.Itoa(n)
}

// OneOffName is the name of a one-off container (stack run):
// <project>-<service>-run-<slug>, slug cut to 12 characters. The caller
// chooses the slug (random hex) and records it in LabelSlug.
func OneOffName(project, service, slug string) string {
	if len(slug) > 12 {
		slug = slug[:12]
	}
	return project + "-" + service + "-run-" + slug
}

// Name is the name of replica n of svc in project p: its container_name
// when it has one, which only replica 1 may take.
func Name(p *types.Project, svc types.ServiceConfig, n int) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("name service %q: replica %d: %w: replicas are numbered from 1", svc.Name, n, ErrInvalid)
	}
	if svc.ContainerName == "" {
		return ContainerName(p.Name, svc.Name, n), nil
	}
	if n > 1 {
		return "", containerNameScaleError(svc.Name, svc.ContainerName, n)
	}
	return svc.ContainerName, nil
}

// containerNameScaleError says why a service with container_name cannot
// have n containers.
func containerNameScaleError(service, name string, n int) error {
	return fmt.Errorf("scale service %q to %d: %w: container_name %q must be unique, remove it to scale the service",
		service, n, ErrInvalid, name)
}

// firstContainer is the name of the container that network_mode, ipc, pid
// and volumes_from mean by "service:X": X's replica 1, as Docker Compose
// picks the lowest-numbered one.
func firstContainer(p *types.Project, service string) (string, error) {
	svc, ok := p.Services[service]
	if !ok {
		return "", fmt.Errorf("service %q: %w", service, ErrUnknownService)
	}
	return Name(p, svc, 1)
}
