package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// BuildSpec is what to build: compose's build: section, or `stack image
// build`'s flags.
type BuildSpec struct {
	Context          string            // the build context, a directory
	Dockerfile       string            // relative to Context; "" means "Dockerfile"
	DockerfileInline string            // the Dockerfile's text, instead of a file
	Args             map[string]string // --build-arg: values for ARGs
	Target           string            // the stage to build; "" means the last
	Labels           map[string]string // added to the image's labels
	Tags             []string          // names for the image
	NoCache          bool              // run every step, reusing no cached result
	Pull             bool              // pull base images even when stored
}

// BuildOptions say how to build.
type BuildOptions struct {
	// Runner runs RUN steps; without one a RUN step fails.
	Runner Runner
	// Output receives what RUN steps print; nil discards it.
	Output io.Writer
	// Progress, when set, hears of each step starting and ending.
	Progress func(BuildEvent)
	// Pull is how base images missing from the store are pulled.
	Pull PullOptions
}

// BuildEvent is news of one build step.
type BuildEvent struct {
	Step  int    // 1-based, in the order steps run, across stages
	Stage string // the stage's name, or its index when unnamed
	Index int    // the step's place in its stage, FROM being 1
	Count int    // the steps of the stage
	Text  string // the instruction as written
	// State is StepStarted, then StepCached (the result was in the build
	// cache), StepDone (it ran) or StepFailed.
	State string
	Took  time.Duration
}

// Step states.
const (
	StepStarted = "started"
	StepCached  = "CACHED"
	StepDone    = "DONE"
	StepFailed  = "ERROR"
)

// Runner runs the command of a RUN step in a container. stack's engine
// implements it (cmd/stack); tests fake it.
type Runner interface {
	Run(ctx context.Context, spec RunSpec) error
}

// RunSpec is one RUN step's command and the file system it runs on.
type RunSpec struct {
	Layers  []string // unpacked layer trees, bottom to top: the lower layers of the root file system
	Args    []string // the command, the shell already prepended to a shell-form command
	Env     []string // KEY=VALUE: the image's environment and the build's args
	User    string   // user[:group], names or numbers; "" means root
	WorkDir string   // absolute
	Output  io.Writer
	// Changes is called with the container's upper directory (in overlayfs
	// format) once the command has exited 0, before the container goes.
	// mounts are the paths the runner mounted over in the container (/proc,
	// /etc/hosts, ...): empty stubs of them in the upper directory that the
	// image did not have are not changes.
	Changes func(ctx context.Context, upper string, mounts []string) error
}

// Build builds an image from a Dockerfile, stage by stage, and names it
// spec.Tags. A step that changes files makes a layer; each such step is
// cached, keyed by the layers below it and its inputs (the instruction,
// environment, args, user, and the content of what COPY and ADD read), so a
// second build of unchanged inputs runs nothing. A Dockerfile that does not
// parse and a step that fails are errors wrapping ErrBuild that name the
// file and line.
func (s *Store) Build(ctx context.Context, spec BuildSpec, opt BuildOptions) (_ Image, err error) {
	what := spec.Context
	var names []string
	for _, t := range spec.Tags {
		name, err := normalizeTag(t)
		if err != nil {
			return Image{}, fmt.Errorf("build image: %w", err)
		}
		names = append(names, name)
	}
	if len(names) > 0 {
		what = names[0]
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("build image %q: %w", what, err)
		}
	}()
	df, err := readDockerfile(spec)
	if err != nil {
		return Image{}, err
	}
	gc, err := lockFile(ctx, s.gcLockPath(), false)
	if err != nil {
		return Image{}, err
	}
	defer s.release(gc, &err)
	b := newBuilder(s, spec, opt, df)
	target, err := b.targetStage()
	if err != nil {
		return Image{}, err
	}
	for _, i := range b.needed(target) {
		if b.built[i], err = b.buildStage(ctx, i); err != nil {
			return Image{}, err
		}
	}
	return b.commit(ctx, b.built[target], names)
}

// readDockerfile reads and parses the Dockerfile spec names.
func readDockerfile(spec BuildSpec) (*dockerfile, error) {
	if spec.DockerfileInline != "" {
		return parseDockerfile("Dockerfile", []byte(spec.DockerfileInline))
	}
	name := spec.Dockerfile
	if name == "" {
		name = "Dockerfile"
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(spec.Context, name)
	}
	data, err := readFileMax(p, 4<<20)
	if err != nil {
		return nil, fmt.Errorf("read dockerfile %q: %w", name, err)
	}
	if _, err := os.Stat(spec.Context); err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	return parseDockerfile(filepath.Base(name), data)
}
