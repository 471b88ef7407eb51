package image

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// RegistryOptions say how Pull, Push and Build reach registries.
type RegistryOptions struct {
	// Insecure lists registries (host or host:port) that may be reached over
	// plain http when https fails. localhost, 127.0.0.1 and ::1 always may;
	// no other registry may.
	Insecure []string
	// Keychain finds credentials; nil means the Docker config file
	// ($DOCKER_CONFIG/config.json, else ~/.docker/config.json) and its
	// credential helpers.
	Keychain authn.Keychain
	// Transport carries the requests; nil means go-containerregistry's
	// default transport (proxies from the environment, timeouts).
	Transport http.RoundTripper
}

func (o RegistryOptions) keychain() authn.Keychain {
	if o.Keychain == nil {
		return authn.DefaultKeychain
	}
	return o.Keychain
}

// insecure tells whether registry may be reached over plain http.
func (o RegistryOptions) insecure(registry string) bool {
	host := registry
	if h, _, err := net.SplitHostPort(registry); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || host == "127.0.0.1" || host == "::1" {
		return true
	}
	return slices.ContainsFunc(o.Insecure, func(s string) bool {
		return strings.EqualFold(s, registry) || strings.EqualFold(s, host)
	})
}

// transport is the base transport with plain http refused for registries
// that are not insecure. go-containerregistry itself falls back to http for
// private addresses too; this keeps it to what the user allowed.
func (o RegistryOptions) transport() http.RoundTripper {
	base := o.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	return httpGuard{o: o, next: base}
}

type httpGuard struct {
	o    RegistryOptions
	next http.RoundTripper
}

func (g httpGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !g.o.insecure(req.URL.Host) {
		return nil, fmt.Errorf("registry %q: plain http refused, the registry is not listed as insecure", req.URL.Host)
	}
	return g.next.RoundTrip(req)
}

// parseRemote parses a normalised name (name:tag or name@digest) for
// go-containerregistry, marking it insecure when allowed.
func (o RegistryOptions) parseRemote(normalized string) (name.Reference, error) {
	var opts []name.Option
	reg := normalized
	if i := strings.IndexByte(reg, '/'); i >= 0 {
		reg = reg[:i]
	}
	if o.insecure(reg) {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(normalized, opts...)
	if err != nil {
		return nil, fmt.Errorf("image name %q: %w", normalized, ErrInvalidReference)
	}
	return ref, nil
}

// registryError turns what a registry answered into the store's sentinels:
// unknown names, tags and blobs are ErrNotFound, refused credentials
// ErrUnauthorized. what names the thing asked for: `tag "nope"`.
func registryError(err error, what string) error {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("reach registry: %w", err)
	}
	for _, d := range terr.Errors {
		switch d.Code {
		case transport.ManifestUnknownErrorCode, transport.BlobUnknownErrorCode:
			return fmt.Errorf("%s: %w", what, ErrNotFound)
		case transport.NameUnknownErrorCode:
			return fmt.Errorf("repository: %w", ErrNotFound)
		case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
			return fmt.Errorf("%s: %w", d.Message, ErrUnauthorized)
		}
	}
	switch terr.StatusCode {
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%s: %w", http.StatusText(terr.StatusCode), ErrUnauthorized)
	}
	return fmt.Errorf("registry: %w", err)
}
