package image

import (
	"archive/tar"
	"context"
	"io/fs"
)

// workdir makes WORKDIR's directory, owned by USER, as buildkit does,
// when the layers do not have it yet: a layer of its own.
func (b *builder) workdir(ctx context.Context, st *buildState) (bool, error) {
	base := newLayersFS(st.trees(b.s))
	defer base.close()
	dir := resolve(base, cleanSource(st.cfg.Config.WorkingDir))
	if dir == "." {
		return false, nil
	}
	if fi, err := base.lstat(dir); err == nil && (fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0) {
		return false, nil
	}
	var uid, gid int
	if u := st.cfg.Config.User; u != "" {
		var err error
		if uid, gid, err = lookupUser(base, u); err != nil {
			return false, err
		}
	}
	key := st.chain("WORKDIR", []any{dir, uid, gid})
	return b.layerStep(st, key, func() (layerBlob, bool, error) {
		lb, err := b.s.storeTar(ctx, func(tw *tar.Writer) error {
			w := newLayerTar(tw, base)
			return w.add(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, Uid: uid, Gid: gid, ModTime: w.now}, nil)
		})
		return lb, false, err
	})
}
