package project

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors of loading, checked with errors.Is.
var (
	ErrNotFound    = errors.New("not found")
	ErrNoConfig    = errors.New("no configuration file provided")
	ErrProjectName = errors.New("invalid project name")
	ErrInvalid     = errors.New("invalid compose file") // every *FileError
	ErrNoService   = errors.New("no such service")
)

// FileError is a problem in a compose file, placed as precisely as
// compose-go allows: "compose.yaml:4: services.web.ports: must be a list".
// It matches ErrInvalid.
type FileError struct {
	File string // relative to the working directory when inside it
	Line int    // 1-based; 0 when unknown
	Path string // where in the model, dotted: services.web.ports; may be empty
	Msg  string
	Err  error // a sentinel it matches besides ErrInvalid; may be nil
}

func (e *FileError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Path != "" {
		s += ": " + e.Path
	}
	return fmt.Sprintf("%s: %s", s, e.Msg)
}

func (e *FileError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}
