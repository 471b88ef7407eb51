// Package service turns a compose service into the container specs the
// engine runs: container names, Compose's labels, the config hash that
// decides whether a container is up to date, the replica count, and one
// runtime.Spec per replica.
//
// Everything here is pure: no I/O, no clock, no randomness. The same project
// always gives the same specs, so plans built from them are reproducible and
// the package is tested without root. Names that must be unique per run (the
// slug of a one-off container) are chosen by the caller and passed in.
package service

import "errors"

// Sentinel errors; check them with errors.Is.
var (
	// ErrUnknownService: the project has no service of that name.
	ErrUnknownService = errors.New("no such service")
	// ErrUnsupported: a compose key stack does not implement yet and would
	// surprise a user if ignored.
	ErrUnsupported = errors.New("not supported by stack")
	// ErrInvalid: a value that cannot be turned into a container.
	ErrInvalid = errors.New("invalid")
)
