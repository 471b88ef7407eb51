package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// maxArchiveEntries bounds the files of an archive Load reads.
const maxArchiveEntries = 1 << 16

// Load stores the images of a `docker save` archive (manifest.json, and
// repositories for old archives) or of an OCI image layout archive
// (oci-layout and index.json; names from the io.containerd.image.name or
// org.opencontainers.image.ref.name annotations; of a multi-platform index,
// the linux image of this machine's architecture). The archive may be gzip-
// or zstd-compressed. Every blob is checked against its digest and every
// layer against its diffID before any image is recorded; layers already
// stored are not unpacked again.
func (s *Store) Load(ctx context.Context, r io.Reader) (_ []Image, err error) {
	gc, err := lockFile(ctx, s.gcLockPath(), false)
	if err != nil {
		return nil, err
	}
	defer s.release(gc, &err)
	a, err := s.spoolArchive(ctx, r)
	if a != nil {
		defer os.RemoveAll(a.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	var found []archImage
	switch {
	case a.has("manifest.json"):
		found, err = a.dockerImages()
	case a.has("index.json"):
		found, err = a.ociImages()
	default:
		err = fmt.Errorf("neither manifest.json nor index.json in the archive: %w", ErrFormat)
	}
	if err == nil && len(found) == 0 {
		err = fmt.Errorf("no image in the archive: %w", ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	prepared := make([]preparedImage, 0, len(found))
	for _, im := range found {
		p, err := s.prepareImage(ctx, im)
		if err != nil {
			return nil, fmt.Errorf("load archive: %w", err)
		}
		prepared = append(prepared, p)
	}
	images := make([]Image, 0, len(prepared))
	for _, p := range prepared {
		if err := s.commit(ctx, p.id, p.manifest, p.layers, p.names, nil); err != nil {
			return images, fmt.Errorf("load archive: %w", err)
		}
		img, err := s.Get(p.id.String())
		if err != nil {
			return images, err
		}
		images = append(images, img)
	}
	return images, nil
}

// archive is a spooled archive: its files by clean name, and its symlinks.
type archive struct {
	dir   string
	files map[string]spooled
	links map[string]string // name -> clean target
}

// spoolArchive copies every regular file of the archive into tmp, hashing
// each; nothing is unpacked, so names in it are only map keys.
func (s *Store) spoolArchive(ctx context.Context, r io.Reader) (*archive, error) {
	dir, err := s.mkTemp("load-")
	if err != nil {
		return nil, err
	}
	a := &archive{dir: dir, files: map[string]spooled{}, links: map[string]string{}}
	zr, _, err := decompress(r)
	if err != nil {
		return a, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return a, fmt.Errorf("read archive: %w", err)
		}
		if n >= maxArchiveEntries {
			return a, fmt.Errorf("more than %d files in the archive: %w", maxArchiveEntries, ErrLimit)
		}
		name := archiveName(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
			sp, err := spool(ctx, dir, tr)
			if err != nil {
				return a, fmt.Errorf("read archive file %q: %w", hdr.Name, err)
			}
			if old, ok := a.files[name]; ok {
				os.Remove(old.path)
			}
			a.files[name] = sp
		case tar.TypeSymlink:
			a.links[name] = archiveName(path.Join(path.Dir(name), hdr.Linkname))
		}
	}
	return a, nil
}

func archiveName(name string) string {
	return path.Clean("/" + name)[1:]
}

func (a *archive) has(name string) bool {
	_, err := a.file(name)
	return err == nil
}

// file returns the spooled file name stands for, following symlinks.
func (a *archive) file(name string) (spooled, error) {
	name = archiveName(name)
	for hops := 0; hops < 16; hops++ {
		if sp, ok := a.files[name]; ok {
			return sp, nil
		}
		target, ok := a.links[name]
		if !ok {
			break
		}
		name = target
	}
	return spooled{}, fmt.Errorf("file %q not in the archive: %w", name, ErrFormat)
}

// readJSON decodes a small JSON file of the archive into v.
func (a *archive) readJSON(name string, v any) error {
	sp, err := a.file(name)
	if err != nil {
		return err
	}
	data, err := readFileMax(sp.path, maxJSONBlob)
	if err != nil {
		return fmt.Errorf("read %q: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %q: %v: %w", name, err, ErrFormat)
	}
	return nil
}

// blob returns the file of an OCI layout blob, checked against its digest.
func (a *archive) blob(digest string, size int64) (spooled, error) {
	h, err := parseDigest(digest)
	if err != nil {
		return spooled{}, err
	}
	sp, err := a.file("blobs/sha256/" + h.Hex)
	if err != nil {
		return spooled{}, fmt.Errorf("blob %q: %w", digest, err)
	}
	if sp.digest != h {
		return spooled{}, fmt.Errorf("blob %q: content has digest %q: %w", digest, sp.digest, ErrDigestMismatch)
	}
	if size > 0 && sp.size != size {
		return spooled{}, fmt.Errorf("blob %q: %d bytes, not %d: %w", digest, sp.size, size, ErrDigestMismatch)
	}
	return sp, nil
}

// normalizeNames normalises the names an archive gives an image.
func normalizeNames(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		name, err := normalizeTag(n)
		if err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, nil
}
