package image

import (
	"encoding/json"
	"fmt"
	goruntime "runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	annotationRefName        = "org.opencontainers.image.ref.name"
	annotationContainerdName = "io.containerd.image.name"
	maxIndexDepth            = 4
)

// ociImages reads the images of an OCI image layout archive from index.json.
func (a *archive) ociImages() ([]archImage, error) {
	var idx v1.IndexManifest
	if err := a.readJSON("index.json", &idx); err != nil {
		return nil, err
	}
	return a.ociIndex(&idx, "", 0)
}

// ociIndex collects the images an index points to, nested indexes included,
// keeping those for linux on this machine's architecture (or for no stated
// platform). An image's name comes from its descriptor's annotations, or
// from the enclosing index's.
func (a *archive) ociIndex(idx *v1.IndexManifest, inherited string, depth int) ([]archImage, error) {
	if depth > maxIndexDepth {
		return nil, fmt.Errorf("indexes nested more than %d deep: %w", maxIndexDepth, ErrLimit)
	}
	var images []archImage
	for _, desc := range idx.Manifests {
		if desc.Platform != nil && !platformMatches(desc.Platform) {
			continue
		}
		name := refName(desc.Annotations)
		if name == "" {
			name = inherited
		}
		sp, err := a.blob(desc.Digest.String(), desc.Size)
		if err != nil {
			return nil, err
		}
		data, err := readFileMax(sp.path, maxJSONBlob)
		if err != nil {
			return nil, fmt.Errorf("read manifest %q: %w", desc.Digest, err)
		}
		switch mediaTypeOf(desc.MediaType, data) {
		case types.OCIImageIndex, types.DockerManifestList:
			var child v1.IndexManifest
			if err := json.Unmarshal(data, &child); err != nil {
				return nil, fmt.Errorf("read index %q: %v: %w", desc.Digest, err, ErrFormat)
			}
			found, err := a.ociIndex(&child, name, depth+1)
			if err != nil {
				return nil, err
			}
			images = append(images, found...)
		case types.OCIManifestSchema1, types.DockerManifestSchema2:
			im, err := a.ociImage(sp, data, name)
			if err != nil {
				return nil, err
			}
			images = append(images, im)
		}
		// Anything else (artifacts, attestations) is not an image: skipped.
	}
	return images, nil
}

// ociImage reads one image manifest of the layout.
func (a *archive) ociImage(manifest spooled, data []byte, name string) (archImage, error) {
	var m v1.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return archImage{}, fmt.Errorf("read manifest %q: %v: %w", manifest.digest, err, ErrFormat)
	}
	config, err := a.blob(m.Config.Digest.String(), m.Config.Size)
	if err != nil {
		return archImage{}, fmt.Errorf("manifest %q: config: %w", manifest.digest, err)
	}
	im := archImage{config: config, manifest: &manifest}
	for _, l := range m.Layers {
		sp, err := a.blob(l.Digest.String(), l.Size)
		if err != nil {
			return archImage{}, fmt.Errorf("manifest %q: layer: %w", manifest.digest, err)
		}
		im.layers = append(im.layers, sp)
	}
	if name != "" {
		if im.names, err = normalizeNames([]string{name}); err != nil {
			return archImage{}, fmt.Errorf("manifest %q: %w", manifest.digest, err)
		}
	}
	return im, nil
}

// refName is the image name a descriptor's annotations give. A bare
// org.opencontainers.image.ref.name ("latest") is a tag without a name, which
// names nothing: the image is loaded untagged.
func refName(ann map[string]string) string {
	if n := ann[annotationContainerdName]; n != "" {
		return n
	}
	n := ann[annotationRefName]
	if strings.ContainsAny(n, ":/@") {
		return n
	}
	return ""
}

func platformMatches(p *v1.Platform) bool {
	return (p.OS == "" || p.OS == "linux") && (p.Architecture == "" || p.Architecture == goruntime.GOARCH)
}

// mediaTypeOf is a descriptor's media type, or, when it has none, what the
// document itself says or looks like.
func mediaTypeOf(mt types.MediaType, data []byte) types.MediaType {
	if mt != "" {
		return mt
	}
	var doc struct {
		MediaType types.MediaType `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
		Layers    json.RawMessage `json:"layers"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return ""
	}
	switch {
	case doc.MediaType != "":
		return doc.MediaType
	case doc.Manifests != nil:
		return types.OCIImageIndex
	case doc.Layers != nil:
		return types.OCIManifestSchema1
	}
	return ""
}
