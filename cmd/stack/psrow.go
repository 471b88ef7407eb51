package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/service"
)

// psRow is one container as `docker compose ps --format json` prints it.
type psRow struct {
	Command      string
	CreatedAt    string
	ExitCode     int
	Health       string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Name         string
	Names        string
	Networks     string
	Ports        string
	Project      string
	Publishers   []publisher
	RestartCount int // stack's: docker compose ps has it in inspect only
	RunningFor   string
	Service      string
	Size         string
	State        string
	Status       string
}

// publisher is one published port, as docker compose reports it.
type publisher struct {
	URL           string
	TargetPort    int
	PublishedPort int
	Protocol      string
}

// withPorts fills in the ports c publishes now.
func (r psRow) withPorts(ports []runtime.Port) psRow {
	var text []string
	for _, p := range ports {
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		r.Publishers = append(r.Publishers, publisher{URL: ip, TargetPort: int(p.ContainerPort), PublishedPort: int(p.HostPort), Protocol: proto})
		text = append(text, fmt.Sprintf("%s:%d->%d/%s", ip, p.HostPort, p.ContainerPort, proto))
	}
	r.Ports = strings.Join(text, ", ")
	return r
}

func newPsRow(c runtime.State, now time.Time) psRow {
	var labels []string
	for k, v := range c.Labels {
		labels = append(labels, k+"="+v)
	}
	slices.Sort(labels)
	vols := strings.Split(c.Labels[scheduler.LabelVolumes], ",")
	vols = slices.DeleteFunc(vols, func(s string) bool { return s == "" })
	return psRow{
		Command:      commandOf(c),
		CreatedAt:    c.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
		ExitCode:     c.ExitCode,
		Health:       string(c.Health),
		ID:           c.ID,
		Image:        c.Image,
		Labels:       strings.Join(labels, ","),
		LocalVolumes: fmt.Sprint(len(vols)),
		Mounts:       strings.Join(vols, ","),
		Name:         c.Name,
		Names:        c.Name,
		Networks:     c.Labels[scheduler.LabelNetworks],
		Project:      c.Labels[service.LabelProject],
		RestartCount: c.RestartCount,
		RunningFor:   units.HumanDuration(now.Sub(c.Created)) + " ago",
		Service:      c.Labels[service.LabelService],
		Size:         "0B",
		State:        string(c.Status),
		Status:       statusText(c, now),
	}
}

// commandOf is the container's command line, space-separated.
func commandOf(c runtime.State) string {
	var args []string
	json.Unmarshal([]byte(c.Labels[scheduler.LabelCommand]), &args)
	return strings.Join(args, " ")
}

// statusText is Docker's status column: "Up 3 seconds (healthy)",
// "Exited (0) 2 seconds ago", ...
func statusText(c runtime.State, now time.Time) string {
	ago := func(t time.Time) string { return units.HumanDuration(now.Sub(t)) + " ago" }
	switch c.Status {
	case runtime.StatusCreated:
		return "Created"
	case runtime.StatusRunning, runtime.StatusPaused:
		s := "Up " + units.HumanDuration(now.Sub(c.StartedAt))
		switch c.Health {
		case runtime.HealthStarting:
			s += " (health: starting)"
		case runtime.HealthHealthy, runtime.HealthUnhealthy:
			s += " (" + string(c.Health) + ")"
		}
		if c.Status == runtime.StatusPaused {
			s += " (Paused)"
		}
		return s
	case runtime.StatusRestarting:
		return fmt.Sprintf("Restarting (%d) %s", c.ExitCode, ago(c.FinishedAt))
	case runtime.StatusExited:
		return fmt.Sprintf("Exited (%d) %s", c.ExitCode, ago(c.FinishedAt))
	case runtime.StatusRemoving:
		return "Removal In Progress"
	case runtime.StatusDead:
		return "Dead"
	}
	return string(c.Status)
}
