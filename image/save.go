package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// savedImage is one image of an archive being written.
type savedImage struct {
	id       v1.Hash
	manifest v1.Descriptor
	m        *v1.Manifest
	names    []string // normalised
}

// Save writes the images refs name to w as one tar archive that is both a
// `docker save` archive (manifest.json) and an OCI image layout (oci-layout,
// index.json, blobs/sha256/), as Docker 25 and later write them. Blobs are
// copied as the store keeps them. An image given by name carries that name;
// one given by ID carries none, as with `docker save`.
func (s *Store) Save(ctx context.Context, w io.Writer, refs ...string) error {
	images, err := s.saveList(refs)
	if err != nil {
		return fmt.Errorf("save images: %w", err)
	}
	tw := tar.NewWriter(w)
	written := map[v1.Hash]bool{}
	var docker []dockerManifest
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: "application/vnd.oci.image.index.v1+json"}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
			return fmt.Errorf("save images: %w", err)
		}
	}
	for _, im := range images {
		blobs := append([]v1.Descriptor{im.manifest, im.m.Config}, im.m.Layers...)
		for _, b := range blobs {
			if written[b.Digest] {
				continue
			}
			if err := s.saveBlob(ctx, tw, b.Digest); err != nil {
				return fmt.Errorf("save image %q: %w", im.id, err)
			}
			written[b.Digest] = true
		}
		dm := dockerManifest{Config: "blobs/sha256/" + im.m.Config.Digest.Hex, RepoTags: []string{}}
		for _, l := range im.m.Layers {
			dm.Layers = append(dm.Layers, "blobs/sha256/"+l.Digest.Hex)
		}
		for _, n := range im.names {
			dm.RepoTags = append(dm.RepoTags, FamiliarName(n))
			desc := im.manifest
			_, tag := SplitName(n)
			desc.Annotations = map[string]string{annotationContainerdName: n, annotationRefName: tag}
			index.Manifests = append(index.Manifests, desc)
		}
		if len(im.names) == 0 {
			index.Manifests = append(index.Manifests, im.manifest)
		}
		docker = append(docker, dm)
	}
	files := []struct {
		name string
		v    any
	}{{"oci-layout", map[string]string{"imageLayoutVersion": "1.0.0"}}, {"index.json", index}, {"manifest.json", docker}}
	for _, f := range files {
		data, _ := json.Marshal(f.v)
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("save images: %w", err)
		}
		if _, err := tw.Write(data); err != nil {
			return fmt.Errorf("save images: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("save images: %w", err)
	}
	return nil
}

// saveList resolves refs to images, each once, with the names asked for.
func (s *Store) saveList(refs []string) ([]*savedImage, error) {
	r, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	var out []*savedImage
	byID := map[v1.Hash]*savedImage{}
	for _, ref := range refs {
		id, err := s.resolve(ref, r)
		if err != nil {
			return nil, err
		}
		im := byID[id]
		if im == nil {
			rec, err := s.readRecord(id)
			if err != nil {
				return nil, err
			}
			data, err := s.readBlob(rec.Manifest)
			if err != nil {
				return nil, err
			}
			im = &savedImage{id: id}
			if err := json.Unmarshal(data, &im.m); err != nil {
				return nil, fmt.Errorf("read manifest %q: %v: %w", rec.Manifest, err, ErrFormat)
			}
			im.manifest = v1.Descriptor{MediaType: mediaTypeOf(im.m.MediaType, data), Digest: rec.Manifest, Size: int64(len(data))}
			byID[id] = im
			out = append(out, im)
		}
		if name, err := NormalizeName(ref); err == nil && r[name] == id.String() {
			im.names = append(im.names, name)
		}
	}
	return out, nil
}

// saveBlob copies a stored blob into the archive.
func (s *Store) saveBlob(ctx context.Context, tw *tar.Writer, d v1.Hash) error {
	f, err := s.OpenBlob(d.String())
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "blobs/sha256/" + d.Hex, Mode: 0o644, Size: fi.Size(), ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, ctxReader{ctx, f})
	return err
}
