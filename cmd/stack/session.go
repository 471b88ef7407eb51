package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/internal/detach"
	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/volume"
)

// session is what a verb on a project works with: the project, the engine
// and the stores, and the project's lock when the verb changes things.
type session struct {
	g      *globalFlags
	p      *project.Project
	engine *linux.Engine
	rt     runtime.Runtime // the engine, making volumes before containers
	images *image.Store
	vols   *volume.Store
	nets   *network.Manager // opened on first use
	unlock func()
	// nameOnly: no compose file, the project is known by -p alone; its
	// containers are all it is.
	nameOnly bool
}

// openOptions say what a verb needs of its session.
type openOptions struct {
	lock bool // take the project's lock: the verb changes containers
	// nameOnly lets the verb run on a project known by -p alone, with no
	// compose file, as down, ps and logs do.
	nameOnly bool
}

// open loads the project and opens the engine, taking the project's lock
// if o.lock.
func (g *globalFlags) open(ctx context.Context, o openOptions) (*session, error) {
	if err := g.ui.check(); err != nil {
		return nil, err
	}
	p, err := project.Open(ctx, g.options())
	if err != nil {
		if !o.nameOnly || g.name == "" {
			return nil, err
		}
		tp := &types.Project{Name: g.name, Services: types.Services{}}
		g, gerr := project.NewGraph(tp)
		if gerr != nil {
			return nil, err
		}
		p = &project.Project{Project: tp, Graph: g}
	}
	s := &session{g: g, p: p, unlock: func() {}, nameOnly: len(p.ComposeFiles) == 0}
	if s.images, err = g.images(); err != nil {
		return nil, err
	}
	if s.vols, err = g.volumes(); err != nil {
		return nil, err
	}
	if s.engine, err = g.engine(); err != nil {
		return nil, err
	}
	s.setVolumes(false)
	if o.lock {
		if s.unlock, err = scheduler.Lock(ctx, filepath.Join(g.paths().Run, "locks"), p.Name); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *session) close() {
	s.release()
	// What is left to the kernel and the disk goes on in one detached
	// process: the bridges down retired, the files of removed containers.
	var later detach.Jobs
	if s.nets != nil {
		s.nets.Leave(&later)
		s.nets.Close()
		s.nets = nil
	}
	if s.engine != nil {
		s.engine.Sweep(&later)
	}
	later.Start(finisherBinary(s.g.paths()))
}

// ensureNetworks makes the project's networks if they are missing.
func (s *session) ensureNetworks(ctx context.Context) error {
	if s.g.ui.dryRun {
		return nil
	}
	pr := s.g.newProgress("Running")
	defer pr.close()
	nets, err := s.networks(pr)
	if err != nil {
		return err
	}
	return nets.Ensure(ctx)
}

// release lets go of the project's lock, if held: a foreground up lets
// other commands (stop, down) act on the project while it shows the logs.
func (s *session) release() {
	s.unlock()
	s.unlock = func() {}
}

// networks is the project's networks, reporting to pr if not nil.
func (s *session) networks(pr *progress) (scheduler.Networks, error) {
	if s.nets == nil {
		m, err := s.g.networks()
		if err != nil {
			return scheduler.Networks{}, err
		}
		s.nets = m
	}
	n := scheduler.Networks{Manager: s.nets, Project: s.p, Version: versionString()}
	if pr != nil {
		n.Event = func(name string, st scheduler.Status) { pr.resource("Network", name, st) }
	}
	return n, nil
}

// setVolumes makes s.rt prepare volumes; renew makes anonymous ones afresh.
func (s *session) setVolumes(renew bool) {
	s.rt = scheduler.Volumes{Store: s.vols, Image: storeImages{s.images}.content, Project: s.p,
		Version: versionString(), RenewAnonymous: renew}.Runtime(s.engine)
}

// run executes plan with a progress display titled title, or with
// --dry-run prints it.
func (s *session) run(ctx context.Context, plan scheduler.Plan, title string, timeout *int) error {
	if s.dryRun(plan) {
		return nil
	}
	return s.execute(ctx, plan, title, timeout)
}

// dryRun prints plan and reports true with --dry-run: the verb does no more.
func (s *session) dryRun(plan scheduler.Plan) bool {
	if s.g.ui.dryRun {
		fmt.Print(plan.String())
	}
	return s.g.ui.dryRun
}

// execute runs plan with a progress display titled title.
func (s *session) execute(ctx context.Context, plan scheduler.Plan, title string, timeout *int) error {
	pr := s.g.newProgress(title)
	defer pr.close()
	return s.executeWith(ctx, plan, s.p.Graph, pr, timeout)
}

// executeWith runs plan on graph, its events shown by pr.
func (s *session) executeWith(ctx context.Context, plan scheduler.Plan, graph *project.Graph, pr *progress, timeout *int) error {
	opts := scheduler.ExecOptions{Logger: s.g.logger(), Events: pr.event}
	if timeout != nil {
		d := seconds(*timeout)
		opts.Timeout = &d
	}
	return scheduler.Execute(ctx, s.rt, plan, graph, opts)
}
