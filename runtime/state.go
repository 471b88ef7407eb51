package runtime

import "time"

// Status is a container's life-cycle status, with Docker's names.
type Status string

const (
	StatusCreated    Status = "created"
	StatusRunning    Status = "running"
	StatusPaused     Status = "paused"
	StatusRestarting Status = "restarting"
	StatusExited     Status = "exited"
	StatusRemoving   Status = "removing"
	StatusDead       Status = "dead"
)

// Health is a container's health as its healthcheck last decided it.
type Health string

const (
	HealthNone      Health = ""
	HealthStarting  Health = "starting"
	HealthHealthy   Health = "healthy"
	HealthUnhealthy Health = "unhealthy"
)

// State is what a container is now.
type State struct {
	ID           string
	Name         string
	Image        string
	Labels       map[string]string
	Status       Status
	Health       Health
	ExitCode     int
	OOMKilled    bool
	Pid          int
	Created      time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
	RestartCount int
	// Error says why the container is dead or failed to start, for example
	// that its monitor was killed.
	Error string
}

// Running reports whether the container's process is alive.
func (s State) Running() bool {
	return s.Status == StatusRunning || s.Status == StatusPaused || s.Status == StatusRestarting
}
