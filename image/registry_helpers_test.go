package image

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stackorch/stack/internal/registrytest"
)

// startRegistry runs Debian's docker-registry for the test.
func startRegistry(t *testing.T) string {
	t.Helper()
	return registrytest.Start(t, registrytest.Options{})
}

// testImage builds an image of the given layers (uncompressed tar streams)
// compressed with c, for arch.
func registryImage(t *testing.T, c compression.Compression, arch string, layers ...[]byte) v1.Image {
	t.Helper()
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: "linux", Architecture: arch,
		Config: v1.Config{Cmd: []string{"/bin/app"}, Env: []string{"PATH=/bin"}}, RootFS: v1.RootFS{Type: "layers"}})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, data := range layers {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
			tarball.WithCompression(c), tarball.WithMediaType(mediaTypeFor(c)))
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

func mediaTypeFor(c compression.Compression) types.MediaType {
	if c == compression.ZStd {
		return types.OCILayerZStd
	}
	return types.OCILayer
}

// putImage writes an image to the registry with go-containerregistry.
func putImage(t *testing.T, ref string, img remote.Taggable) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	switch v := img.(type) {
	case v1.ImageIndex:
		err = remote.WriteIndex(r, v)
	case v1.Image:
		err = remote.Write(r, v)
	}
	if err != nil {
		t.Fatalf("put %s: %v", ref, err)
	}
}

// corruptingProxy serves the registry at addr, flipping one byte in the
// middle of every blob it sends.
func corruptingProxy(t *testing.T, addr string) string {
	t.Helper()
	u, _ := url.Parse("http://" + addr)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if !strings.Contains(resp.Request.URL.Path, "/blobs/") || resp.StatusCode != http.StatusOK {
			return nil
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if len(data) > 0 && !strings.Contains(resp.Header.Get("Content-Type"), "json") && len(data) > 600 {
			data[len(data)/2] ^= 0x40
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// authProxy serves the registry at addr to clients that send basic
// credentials user:pass, and asks the others for them.
func authProxy(t *testing.T, addr, user, pass string) string {
	t.Helper()
	u, _ := url.Parse("http://" + addr)
	p := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, pw, ok := r.BasicAuth(); !ok || u != user || pw != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
