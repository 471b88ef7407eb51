package runtimetest

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"syscall"
	"time"

	"github.com/stackorch/stack/runtime"
)

// Create makes a container in status created.
func (f *Fake) Create(ctx context.Context, spec runtime.Spec) (runtime.State, error) {
	done := f.record("create", spec.Name, "")
	if err := ctx.Err(); err != nil {
		return runtime.State{}, done(fmt.Errorf("create container %q: %w", spec.Name, err))
	}
	st, err := f.create(spec)
	return st, done(err)
}

func (f *Fake) create(spec runtime.Spec) (runtime.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if spec.Name == "" {
		return runtime.State{}, fmt.Errorf("create container: name is empty")
	}
	if _, ok := f.byName[spec.Name]; ok {
		return runtime.State{}, fmt.Errorf("create container %q: %w", spec.Name, runtime.ErrAlreadyExists)
	}
	spec.Labels = maps.Clone(spec.Labels)
	c := &container{spec: spec, state: runtime.State{
		ID:      f.newID(spec.Name),
		Name:    spec.Name,
		Image:   spec.Image,
		Labels:  spec.Labels,
		Status:  runtime.StatusCreated,
		Created: time.Now(),
	}}
	f.byID[c.state.ID] = c
	f.byName[c.state.Name] = c
	f.notify()
	return snapshot(c), nil
}

// Start runs a created or exited container by its Script. Starting a
// running container does nothing, as in Docker.
func (f *Fake) Start(ctx context.Context, id string) error {
	done := f.record("start", id, "")
	f.mu.Lock()
	c, ok := f.lookup(id)
	if !ok {
		f.mu.Unlock()
		return done(fmt.Errorf("start container %q: %w", id, runtime.ErrNotFound))
	}
	name, running, script := c.state.Name, c.state.Running(), f.scripts[c.state.Name]
	f.mu.Unlock()
	if running {
		return done(nil)
	}
	if err := pause(ctx, script.StartDelay, script.StartHold); err != nil {
		return done(fmt.Errorf("start container %q: %w", name, err))
	}

	return done(f.run(c, script))
}

// run makes c run by script, unless it was removed meanwhile.
func (f *Fake) run(c *container, script Script) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := c.state.Name
	if f.byName[name] != c {
		return fmt.Errorf("start container %q: %w", name, runtime.ErrNotFound)
	}
	if script.StartErr != nil {
		c.state.ExitCode = 128
		c.state.Error = script.StartErr.Error()
		f.notify()
		return fmt.Errorf("start container %q: %w", name, script.StartErr)
	}
	c.gen++
	f.lastPid++
	c.state.Status = runtime.StatusRunning
	c.state.Pid = 1000 + f.lastPid
	c.state.StartedAt = time.Now()
	c.state.ExitCode = 0
	c.state.Error = ""
	c.state.Health = runtime.HealthNone
	if h := script.Health; h != nil {
		c.state.Health = runtime.HealthStarting
		f.after(c, h.After, func() { f.setHealth(c, h.Status) })
	}
	if e := script.Exit; e != nil {
		f.after(c, e.After, func() { f.exit(c, e.Code) })
	}
	f.notify()
	return nil
}

// after runs fn, under f.mu, after d unless c was started or stopped again
// in between; f.mu must be held.
func (f *Fake) after(c *container, d time.Duration, fn func()) {
	gen := c.gen
	time.AfterFunc(d, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if c.gen == gen && c.state.Running() && f.byName[c.state.Name] == c {
			fn()
		}
	})
}

// setHealth and exit change a running container; f.mu must be held.
func (f *Fake) setHealth(c *container, h runtime.Health) {
	c.state.Health = h
	f.log.mark("health", c.state.Name, string(h))
	f.notify()
}

func (f *Fake) exit(c *container, code int) {
	c.gen++
	c.state.Status = runtime.StatusExited
	c.state.ExitCode = code
	c.state.Pid = 0
	c.state.FinishedAt = time.Now()
	f.log.mark("exit", c.state.Name, strconv.Itoa(code))
	f.notify()
}

// Stop ends a running container with exit code 143 (SIGTERM). Stopping a
// container that is not running does nothing, as in Docker.
func (f *Fake) Stop(ctx context.Context, id string, timeout time.Duration) error {
	done := f.record("stop", id, "")
	f.mu.Lock()
	c, ok := f.lookup(id)
	if !ok {
		f.mu.Unlock()
		return done(fmt.Errorf("stop container %q: %w", id, runtime.ErrNotFound))
	}
	name, running, script := c.state.Name, c.state.Running(), f.scripts[c.state.Name]
	f.mu.Unlock()
	if !running {
		return done(nil)
	}
	if err := pause(ctx, script.StopDelay, script.StopHold); err != nil {
		return done(fmt.Errorf("stop container %q: %w", name, err))
	}
	f.mu.Lock()
	if c.state.Running() {
		f.exit(c, 128+int(syscall.SIGTERM))
	}
	f.mu.Unlock()
	return done(nil)
}

// StopToRemove is Stop: the Fake records an exit the moment it happens.
func (f *Fake) StopToRemove(ctx context.Context, id string, timeout time.Duration) error {
	return f.Stop(ctx, id, timeout)
}

// Kill ends a running container with exit code 128+sig.
func (f *Fake) Kill(ctx context.Context, id string, sig syscall.Signal) error {
	done := f.record("kill", id, sig.String())
	return done(f.kill(id, sig))
}

func (f *Fake) kill(id string, sig syscall.Signal) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.running("kill", id)
	if err != nil {
		return err
	}
	f.exit(c, 128+int(sig))
	return nil
}

// Remove deletes a container; a running one only with force, which kills it.
func (f *Fake) Remove(ctx context.Context, id string, force bool) error {
	done := f.record("remove", id, "")
	f.mu.Lock()
	var hold <-chan struct{}
	if c, ok := f.lookup(id); ok {
		hold = f.scripts[c.state.Name].RemoveHold
	}
	f.mu.Unlock()
	if err := pause(ctx, 0, hold); err != nil {
		return done(fmt.Errorf("remove container %q: %w", id, err))
	}
	return done(f.remove(id, force))
}

func (f *Fake) remove(id string, force bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.lookup(id)
	switch {
	case !ok:
		return fmt.Errorf("remove container %q: %w", id, runtime.ErrNotFound)
	case c.state.Running() && !force:
		return fmt.Errorf("remove container %q: %w", c.state.Name, runtime.ErrRunning)
	case c.state.Running():
		f.exit(c, 128+int(syscall.SIGKILL))
	}
	c.gen++
	delete(f.byID, c.state.ID)
	delete(f.byName, c.state.Name)
	f.notify()
	return nil
}

// pause waits d, then until hold is closed (if non-nil), or until ctx ends.
func pause(ctx context.Context, d time.Duration, hold <-chan struct{}) error {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
