package image

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// builder builds one Dockerfile.
type builder struct {
	s     *Store
	spec  BuildSpec
	opt   BuildOptions
	df    *dockerfile
	lex   *shell.Lex
	meta  map[string]string // ARGs before the first FROM, with values
	built map[int]*buildState
	steps int
}

func newBuilder(s *Store, spec BuildSpec, opt BuildOptions, df *dockerfile) *builder {
	b := &builder{s: s, spec: spec, opt: opt, df: df, lex: shell.NewLex(df.escape),
		meta: map[string]string{}, built: map[int]*buildState{}}
	return b
}

// metaArgs gives the ARGs before the first FROM their values: the build's,
// else their defaults.
func (b *builder) metaArgs() error {
	for _, a := range b.df.metaArgs {
		for _, kv := range a.Args {
			if v, ok := b.spec.Args[kv.Key]; ok {
				b.meta[kv.Key] = v
			} else if kv.Value != nil {
				v, err := b.expand(*kv.Value, b.metaEnv())
				if err != nil {
					return b.df.stepError(&a, err)
				}
				b.meta[kv.Key] = v
			}
		}
	}
	return nil
}

func (b *builder) metaEnv() []string {
	var env []string
	for _, k := range slices.Sorted(maps.Keys(b.meta)) {
		env = append(env, k+"="+b.meta[k])
	}
	return env
}

// expand substitutes variables in word, as the Dockerfile does.
func (b *builder) expand(word string, env []string) (string, error) {
	out, _, err := b.lex.ProcessWord(word, shell.EnvsFromSlice(env))
	return out, err
}

// targetStage is the index of the stage to build.
func (b *builder) targetStage() (int, error) {
	if err := b.metaArgs(); err != nil {
		return 0, err
	}
	if b.spec.Target == "" {
		return len(b.df.stages) - 1, nil
	}
	if i, ok := b.df.stageIndex(b.spec.Target, len(b.df.stages)); ok {
		return i, nil
	}
	return 0, &StepError{File: b.df.name, Err: fmt.Errorf("target stage %q not found", b.spec.Target)}
}

// needed lists the stages target depends on, and target, in order.
func (b *builder) needed(target int) []int {
	want := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if want[i] {
			return
		}
		want[i] = true
		for _, d := range b.deps(i) {
			visit(d)
		}
	}
	visit(target)
	return slices.Sorted(maps.Keys(want))
}

// deps are the earlier stages stage i builds on or copies from.
func (b *builder) deps(i int) []int {
	var out []int
	st := b.df.stages[i]
	if base, err := b.expand(st.BaseName, b.metaEnv()); err == nil {
		if j, ok := b.df.stageIndex(base, i); ok {
			out = append(out, j)
		}
	}
	for _, c := range st.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
			from, _ := b.expand(cp.From, b.metaEnv())
			if j, ok := b.df.stageIndex(from, i); ok {
				out = append(out, j)
			}
		}
	}
	return out
}

// stageName is how events name stage i.
func (b *builder) stageName(i int) string {
	if n := b.df.stages[i].Name; n != "" {
		return n
	}
	return "stage-" + strconv.Itoa(i)
}

// buildStage builds stage i from its base, step by step.
func (b *builder) buildStage(ctx context.Context, i int) (*buildState, error) {
	stage := b.df.stages[i]
	count := len(stage.Commands) + 1
	text := stage.SourceCode
	if base, err := b.expand(stage.BaseName, b.metaEnv()); err == nil {
		text = "FROM " + base
		if stage.Name != "" {
			text += " AS " + stage.Name
		}
	}
	ev := b.start(i, 1, count, text)
	st, err := b.base(ctx, i)
	if err != nil {
		b.end(ev, StepFailed)
		line := 0
		if len(stage.Location) > 0 {
			line = stage.Location[0].Start.Line
		}
		return nil, &StepError{File: b.df.name, Line: line, Step: stage.SourceCode, Err: err}
	}
	b.end(ev, StepDone)
	for j, cmd := range stage.Commands {
		ev := b.start(i, j+2, count, cmdText(cmd))
		cached, err := b.step(ctx, st, i, cmd)
		if err != nil {
			b.end(ev, StepFailed)
			return nil, b.df.stepError(cmd, err)
		}
		state := StepDone
		if cached {
			state = StepCached
		}
		b.end(ev, state)
	}
	return st, nil
}

// stepEvent is a step under way.
type stepEvent struct {
	BuildEvent
	began time.Time
}

// start reports a step starting.
func (b *builder) start(stage, index, count int, text string) stepEvent {
	b.steps++
	ev := BuildEvent{Step: b.steps, Stage: b.stageName(stage), Index: index, Count: count,
		Text: strings.TrimSpace(text), State: StepStarted}
	if b.opt.Progress != nil {
		b.opt.Progress(ev)
	}
	return stepEvent{ev, time.Now()}
}

// end reports a step ending in state.
func (b *builder) end(ev stepEvent, state string) {
	ev.State, ev.Took = state, time.Since(ev.began)
	if b.opt.Progress != nil {
		b.opt.Progress(ev.BuildEvent)
	}
}
