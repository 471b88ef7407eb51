package linux

import (
	"context"
	"time"

	"github.com/stackorch/stack/runtime"
)

// Image is what the engine needs of an image: its unpacked layers and the
// configuration its containers start from.
type Image struct {
	ID     string
	Layers []string // unpacked layer directories, bottom to top
	Config ImageConfig
}

// ImageConfig is the part of an OCI image configuration that shapes a
// container.
type ImageConfig struct {
	User        string               `json:",omitempty"`
	Env         []string             `json:",omitempty"`
	Entrypoint  []string             `json:",omitempty"`
	Cmd         []string             `json:",omitempty"`
	WorkingDir  string               `json:",omitempty"`
	StopSignal  string               `json:",omitempty"`
	Healthcheck *runtime.Healthcheck `json:",omitempty"`
	Volumes     []string             `json:",omitempty"`
	Labels      map[string]string    `json:",omitempty"`
}

// Images finds images by reference for Create.
type Images interface {
	Image(ctx context.Context, ref string) (Image, error)
}

// record is a container's config.json: written once by Create.
type record struct {
	ID      string
	Created time.Time
	Spec    runtime.Spec
	Image   Image
	Init    initConfig // what the monitor hands init at every start
}

// status is a container's state.json. The monitor writes it while it
// lives; Create, Start (on failure) and Remove write it otherwise.
type status struct {
	Status       runtime.Status
	Health       runtime.Health `json:",omitempty"`
	FailingCount int            `json:",omitempty"`
	HealthLog    []HealthResult `json:",omitempty"`
	ExitCode     int
	OOMKilled    bool `json:",omitempty"`
	Pid          int  `json:",omitempty"` // init's pid on the host
	Monitor      int  `json:",omitempty"` // the monitor's pid
	StartedAt    time.Time
	FinishedAt   time.Time
	RestartCount int
	Error        string `json:",omitempty"`
	// Stopped is set when a user stopped the container, so that restart
	// policies leave it stopped (unless-stopped survives a reboot this way).
	Stopped bool `json:",omitempty"`
}

// HealthResult is one run of a healthcheck, as Docker keeps the last five.
type HealthResult struct {
	Start    time.Time
	End      time.Time
	ExitCode int
	Output   string
}

func (r *record) state(s status) runtime.State {
	return runtime.State{
		ID:           r.ID,
		Name:         r.Spec.Name,
		Image:        r.Spec.Image,
		Labels:       r.Spec.Labels,
		Status:       s.Status,
		Health:       s.Health,
		ExitCode:     s.ExitCode,
		OOMKilled:    s.OOMKilled,
		Pid:          s.Pid,
		Created:      r.Created,
		StartedAt:    s.StartedAt,
		FinishedAt:   s.FinishedAt,
		RestartCount: s.RestartCount,
		Error:        s.Error,
	}
}

// Running reports whether the container's process is alive by this state.
func (s status) Running() bool {
	return s.Status == runtime.StatusRunning || s.Status == runtime.StatusPaused || s.Status == runtime.StatusRestarting
}
