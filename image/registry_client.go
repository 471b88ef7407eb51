package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// registryClient reads manifests and blobs of one repository. The
// protocol's authentication (ping, basic or bearer tokens) is
// go-containerregistry's transport; verifying what comes back is ours.
type registryClient struct {
	repo   name.Repository
	client *http.Client
}

// manifestTypes are the manifests Pull understands, best first.
var manifestTypes = []types.MediaType{
	types.OCIImageIndex, types.DockerManifestList, types.OCIManifestSchema1, types.DockerManifestSchema2,
}

func newRegistryClient(ctx context.Context, repo name.Repository, o RegistryOptions) (*registryClient, error) {
	auth, err := authn.Resolve(ctx, o.keychain(), repo)
	if err != nil {
		return nil, fmt.Errorf("credentials for %q: %w", repo.RegistryStr(), err)
	}
	tr, err := transport.NewWithContext(ctx, repo.Registry, auth, transport.NewRetry(o.transport()),
		[]string{repo.Scope(transport.PullScope)})
	if err != nil {
		return nil, registryError(err, "repository")
	}
	return &registryClient{repo: repo, client: &http.Client{Transport: tr}}, nil
}

func (c *registryClient) url(kind, id string) string {
	u := url.URL{Scheme: c.repo.Scheme(), Host: c.repo.RegistryStr(),
		Path: fmt.Sprintf("/v2/%s/%s/%s", c.repo.RepositoryStr(), kind, id)}
	return u.String()
}

func (c *registryClient) get(ctx context.Context, u string, accept []types.MediaType) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for _, mt := range accept {
		req.Header.Add("Accept", string(mt))
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// manifest fetches the manifest or index tag or digest names, and checks it
// against the digest asked for or the one the registry announces.
func (c *registryClient) manifest(ctx context.Context, id string) ([]byte, types.MediaType, v1.Hash, error) {
	what := fmt.Sprintf("tag %q", id)
	if strings.HasPrefix(id, "sha256:") {
		what = fmt.Sprintf("manifest %q", id)
	}
	resp, err := c.get(ctx, c.url("manifests", id), manifestTypes)
	if err != nil {
		return nil, "", v1.Hash{}, registryError(err, what)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBlob+1))
	if err != nil {
		return nil, "", v1.Hash{}, fmt.Errorf("read %s: %w", what, err)
	}
	if len(data) > maxJSONBlob {
		return nil, "", v1.Hash{}, fmt.Errorf("read %s: larger than %d bytes: %w", what, maxJSONBlob, ErrLimit)
	}
	sum := sha256.Sum256(data)
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	want := id
	if !strings.HasPrefix(id, "sha256:") {
		want = resp.Header.Get("Docker-Content-Digest")
	}
	if want != "" && want != got.String() {
		return nil, "", v1.Hash{}, fmt.Errorf("%s: content has digest %q, not %q: %w", what, got, want, ErrDigestMismatch)
	}
	mt := types.MediaType(strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0]))
	if !slices.Contains(manifestTypes, mt) {
		mt = mediaTypeOf("", data) // a registry that says application/json
	}
	return data, mt, got, nil
}

// blob opens a blob for reading; the caller verifies what it reads.
func (c *registryClient) blob(ctx context.Context, d v1.Hash, size int64) (io.ReadCloser, error) {
	resp, err := c.get(ctx, c.url("blobs", d.String()), nil)
	if err != nil {
		return nil, registryError(err, fmt.Sprintf("blob %q", d))
	}
	if resp.ContentLength >= 0 && size > 0 && resp.ContentLength != size {
		resp.Body.Close()
		return nil, fmt.Errorf("blob %q: registry sends %d bytes, the manifest says %d: %w",
			d, resp.ContentLength, size, ErrDigestMismatch)
	}
	return resp.Body, nil
}
