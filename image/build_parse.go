package image

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// dockerfile is a parsed Dockerfile.
type dockerfile struct {
	name     string // for messages: "Dockerfile"
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
	escape   rune
}

// StepError is a Dockerfile line that does not parse or a build step that
// failed. It wraps ErrBuild and the cause.
type StepError struct {
	File string // the Dockerfile's name
	Line int    // 1-based; 0 when unknown
	Step string // the instruction as written; "" for a syntax error
	Err  error
}

func (e *StepError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Step != "" {
		return fmt.Sprintf("%s: %s: %v", where, e.Step, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

func (e *StepError) Unwrap() []error { return []error{e.Err, ErrBuild} }

// parseDockerfile parses data with buildkit's parser into stages.
func parseDockerfile(name string, data []byte) (*dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, syntaxError(name, err)
	}
	stages, meta, err := instructions.Parse(res.AST, linter.New(&linter.Config{SkipAll: true}))
	if err != nil {
		return nil, syntaxError(name, err)
	}
	if len(stages) == 0 {
		return nil, &StepError{File: name, Err: errors.New("no FROM instruction")}
	}
	return &dockerfile{name: name, stages: stages, metaArgs: meta, escape: res.EscapeToken}, nil
}

var parseErrorLine = regexp.MustCompile(`^dockerfile parse error on line (\d+): `)

// syntaxError gives a parser error its line, however the parser said it.
func syntaxError(name string, err error) error {
	e := &StepError{File: name, Err: err}
	var loc *parser.LocationError
	if errors.As(err, &loc) && len(loc.Locations) > 0 && len(loc.Locations[0]) > 0 {
		e.Line = loc.Locations[0][0].Start.Line
	}
	msg := err.Error()
	if m := parseErrorLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	e.Err = errors.New(msg)
	return e
}

// stepError is a failed step of the Dockerfile.
func (df *dockerfile) stepError(cmd instructions.Command, err error) error {
	var se *StepError
	if errors.As(err, &se) {
		return err
	}
	e := &StepError{File: df.name, Step: cmdText(cmd), Err: err}
	if loc := cmd.Location(); len(loc) > 0 {
		e.Line = loc[0].Start.Line
	}
	return e
}

// stageIndex finds the stage name refers to before stage before: by name
// (case-insensitive), or by index.
func (df *dockerfile) stageIndex(name string, before int) (int, bool) {
	for i := 0; i < before && i < len(df.stages); i++ {
		if df.stages[i].Name != "" && strings.EqualFold(df.stages[i].Name, name) {
			return i, true
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < before {
		return n, true
	}
	return 0, false
}

// cmdText is an instruction as written.
func cmdText(cmd instructions.Command) string {
	if s, ok := cmd.(fmt.Stringer); ok {
		return strings.TrimSpace(s.String())
	}
	return cmd.Name()
}
