package image

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// copyArgs are a COPY's or ADD's, expanded.
type copyArgs struct {
	srcs         []string
	dest         string
	from         string
	chown, chmod string
	contents     []instructions.SourceContent // heredocs
	add          bool
	parents      bool
	exclude      []string
}

// copyItem is one source of a COPY and where it lands.
type copyItem struct {
	Src     string `json:"src"`               // in the source file system
	Dst     string `json:"dst"`               // clean, relative to the image's root
	Dir     bool   `json:"dir,omitempty"`     // a directory: its content goes into Dst
	Archive bool   `json:"archive,omitempty"` // ADD of a local archive: unpacked into Dst
	Data    string `json:"data,omitempty"`    // a heredoc's content, for a file at Dst
	Heredoc bool   `json:"heredoc,omitempty"`
}

// copyOwner is who owns what a COPY writes, and its mode if --chmod says.
type copyOwner struct {
	UID, GID int
	Mode     *int64 `json:",omitempty"`
}

// copy runs a COPY or ADD: from the context, an earlier stage or an image,
// into a layer of its own.
func (b *builder) copy(ctx context.Context, st *buildState, stage int, a copyArgs) (bool, error) {
	if a.parents || len(a.exclude) > 0 {
		return false, errors.New("--parents and --exclude: not supported yet")
	}
	src, fromKey, err := b.copySource(ctx, stage, a.from)
	if err != nil {
		return false, err
	}
	defer src.close()
	base := newLayersFS(st.trees(b.s))
	defer base.close()
	dest := a.dest
	if !path.IsAbs(dest) {
		dest = path.Join("/", st.cfg.Config.WorkingDir, dest)
	}
	items, err := copyItems(src, base, a, dest, strings.HasSuffix(a.dest, "/") || strings.HasSuffix(a.dest, "/."))
	if err != nil {
		return false, err
	}
	var own copyOwner
	if a.chown != "" {
		if own.UID, own.GID, err = lookupUser(base, a.chown); err != nil {
			return false, fmt.Errorf("--chown: %w", err)
		}
	}
	if a.chmod != "" {
		m, err := strconv.ParseUint(a.chmod, 8, 32)
		if err != nil || m > 0o7777 {
			return false, fmt.Errorf("--chmod %q: not an octal mode", a.chmod)
		}
		mode := int64(m)
		own.Mode = &mode
	}
	content := fromKey
	if content == "" {
		if content, err = hashSources(src, items); err != nil {
			return false, err
		}
	}
	key := st.chain("COPY", struct {
		Items   []copyItem
		Owner   copyOwner
		Content string
	}{items, own, content})
	return b.layerStep(st, key, func() (layerBlob, bool, error) {
		lb, err := b.s.storeTar(ctx, func(tw *tar.Writer) error {
			w := newLayerTar(tw, base)
			for _, it := range items {
				if err := copyInto(w, src, it, own); err != nil {
					return err
				}
			}
			return nil
		})
		return lb, false, err
	})
}

// copySource is the file system a COPY reads: the context, or the merged
// layers of an earlier stage or of an image, with a key that stands for
// their content ("" for the context, whose files are hashed instead).
func (b *builder) copySource(ctx context.Context, stage int, from string) (srcFS, string, error) {
	if from == "" {
		c, err := openContext(b.spec.Context)
		return c, "", err
	}
	from, err := b.expand(from, b.metaEnv())
	if err != nil {
		return nil, "", err
	}
	if j, ok := b.df.stageIndex(from, stage); ok {
		st := b.built[j]
		return newLayersFS(st.trees(b.s)), "stage " + st.key, nil
	}
	img, err := b.image(ctx, from)
	if err != nil {
		return nil, "", fmt.Errorf("--from=%s: %w", from, err)
	}
	st, err := b.s.imageState(img.ID)
	if err != nil {
		return nil, "", err
	}
	return newLayersFS(st.trees(b.s)), st.key, nil
}

// copyItems matches a COPY's sources and decides where each lands, as
// Docker does: a directory's content goes into the destination; a file
// goes to the destination itself unless that is a directory (it ends in
// "/", exists as one, or there are several sources).
func copyItems(src, base srcFS, a copyArgs, dest string, toDir bool) ([]copyItem, error) {
	var matches []string
	for _, s := range a.srcs {
		if a.add && (strings.Contains(s, "://") || strings.HasPrefix(s, "git@")) {
			return nil, fmt.Errorf("ADD from %q: remote URLs are not supported yet", s)
		}
		m, err := glob(src, cleanSource(s))
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("source %q: not found", s)
		}
		matches = append(matches, m...)
	}
	if len(matches)+len(a.contents) > 1 && !toDir {
		return nil, fmt.Errorf("destination %q: several sources need a directory ending in /", a.dest)
	}
	dst := resolve(base, cleanSource(dest))
	if fi, err := base.lstat(dst); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		dst = path.Dir(resolve(base, path.Join(dst, "x"))) // a symlink to a directory
	}
	if fi, err := base.lstat(dst); err == nil && fi.IsDir() {
		toDir = true
	}
	var items []copyItem
	for _, m := range matches {
		name := path.Base(m)
		m = followLink(src, m)
		fi, err := src.lstat(m)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("source %q: not found", m)
		}
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", m, err)
		}
		switch {
		case fi.IsDir():
			items = append(items, copyItem{Src: m, Dst: dst, Dir: true})
		case a.add && fi.Mode().IsRegular() && isArchive(src, m):
			items = append(items, copyItem{Src: m, Dst: dst, Archive: true})
		case toDir:
			items = append(items, copyItem{Src: m, Dst: path.Join(dst, name)})
		default:
			items = append(items, copyItem{Src: m, Dst: dst})
		}
	}
	for _, c := range a.contents {
		d := dst
		if toDir {
			d = path.Join(dst, path.Base(c.Path))
		}
		items = append(items, copyItem{Dst: d, Data: c.Data, Heredoc: true})
	}
	return items, nil
}

// followLink follows a symlink named as a COPY source to what it points
// at, inside the source file system.
func followLink(fsys srcFS, name string) string {
	for hops := 0; hops < 40; hops++ {
		fi, err := fsys.lstat(name)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return name
		}
		target, err := fsys.readlink(name)
		if err != nil {
			return name
		}
		if !path.IsAbs(target) {
			target = path.Join("/", path.Dir(name), target)
		}
		name = resolve(fsys, cleanSource(target))
	}
	return name
}

// hashSources hashes what a COPY from the context reads: names, types,
// modes, sizes, link targets and content. Times and owners are left out,
// as Docker's cache does.
func hashSources(fsys srcFS, items []copyItem) (string, error) {
	h := sha256.New()
	for _, it := range items {
		fmt.Fprintf(h, "item %q %q %v %v\n", it.Src, it.Dst, it.Dir, it.Archive)
		if it.Heredoc {
			continue
		}
		err := walkSource(fsys, it.Src, func(name string, fi fs.FileInfo) error {
			fmt.Fprintf(h, "%q %o %d\n", name, fi.Mode(), fi.Size())
			switch {
			case fi.Mode()&fs.ModeSymlink != 0:
				target, err := fsys.readlink(name)
				fmt.Fprintf(h, "-> %q\n", target)
				return err
			case fi.Mode().IsRegular():
				f, err := fsys.open(name)
				if err != nil {
					return err
				}
				defer f.Close()
				_, err = io.Copy(h, f)
				return err
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("read source %q: %w", it.Src, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
