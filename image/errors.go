package image

import "errors"

// Sentinel errors of the image store; check them with errors.Is. Returned
// errors wrap them with the image or entry they concern, for example
// `image "docker.io/library/foo:latest": not found`.
var (
	// ErrNotFound: no image answers to the reference.
	ErrNotFound = errors.New("not found")
	// ErrInUse: the image is used by a container and cannot be deleted.
	ErrInUse = errors.New("in use by a container")
	// ErrConflict: the request is ambiguous or needs force, such as deleting
	// by ID an image tagged in several repositories.
	ErrConflict = errors.New("conflict")
	// ErrInvalidReference: a name, tag or ID that does not parse.
	ErrInvalidReference = errors.New("invalid reference")
	// ErrDigestMismatch: content does not hash to the digest that names it.
	// Nothing of it is stored.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrUnsafe: a layer entry that would reach outside its layer, or that
	// the store refuses to create. Nothing of the layer is stored.
	ErrUnsafe = errors.New("unsafe layer entry")
	// ErrLimit: a layer or archive past the store's limits (size, entries,
	// name length). Nothing of it is stored.
	ErrLimit = errors.New("over limit")
	// ErrFormat: an archive, manifest or config that is malformed or of an
	// unsupported kind.
	ErrFormat = errors.New("malformed image")
	// ErrUnauthorized: the registry refused the credentials, or asked for
	// some and none were found.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrBuild: a Dockerfile that does not parse or a build step that
	// failed; the message names the line.
	ErrBuild = errors.New("build failed")
)
