package scheduler

import "time"

// Status is one step of a container's progress, in Compose's words.
type Status string

const (
	Creating   Status = "Creating"
	Created    Status = "Created"
	Recreating Status = "Recreate"
	Recreated  Status = "Recreated"
	Starting   Status = "Starting"
	Started    Status = "Started"
	Restarting Status = "Restarting"
	Restarted  Status = "Restarted"
	Waiting    Status = "Waiting" // a dependent waits for this container
	Healthy    Status = "Healthy" // it reached service_healthy
	Exited     Status = "Exited"  // it reached service_completed_successfully
	Stopping   Status = "Stopping"
	Stopped    Status = "Stopped"
	Removing   Status = "Removing"
	Removed    Status = "Removed"
	Skipped    Status = "Skipped" // an optional dependency failed; Text says how
	Failed     Status = "Error"   // Text is the error
)

// Event is a container's progress at Time.
type Event struct {
	Time      time.Time
	Service   string
	Container string
	Status    Status
	Text      string
}

// emit sends one event to the hook, one at a time.
func (x *executor) emit(service, container string, s Status, text string) {
	if x.opts.Events == nil {
		return
	}
	x.emitMu.Lock()
	defer x.emitMu.Unlock()
	x.opts.Events(Event{Time: time.Now(), Service: service, Container: container, Status: s, Text: text})
}
