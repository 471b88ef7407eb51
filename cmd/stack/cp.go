package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"
)

type cpFlags struct {
	index   int
	archive bool
}

// newCpCommand is `stack cp`: between a service container and the host,
// either way, as docker compose cp. The container side never follows a
// symlink out of the container; the host side never writes through one.
func newCpCommand(g *globalFlags) *cobra.Command {
	var f cpFlags
	cmd := &cobra.Command{
		Use:   "cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n  stack cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH",
		Short: "Copy files/folders between a service container and the local filesystem",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// SERVICE:PATH on one side, a local path (or - for a tar stream on
			// stdin or stdout) on the other.
			srcSvc, src, fromContainer := strings.Cut(args[0], ":")
			dstSvc, dst, toContainer := strings.Cut(args[1], ":")
			local := args[1]
			if toContainer {
				local = args[0]
			}
			if fromContainer == toContainer {
				return errors.New("cp: one of source and destination must be SERVICE:PATH, the other a local path")
			}
			s, err := g.open(ctx, openOptions{nameOnly: true})
			if err != nil {
				return err
			}
			defer s.close()
			if fromContainer {
				c, err := s.replica(ctx, srcSvc, f.index)
				if err != nil {
					return err
				}
				if local == "-" {
					return s.engine.CopyFrom(ctx, c.ID, src, os.Stdout)
				}
				pr, pw := io.Pipe()
				go func() { pw.CloseWithError(s.engine.CopyFrom(ctx, c.ID, src, pw)) }()
				return extractOnHost(pr, local, path.Base(path.Clean("/"+src)))
			}
			c, err := s.replica(ctx, dstSvc, f.index)
			if err != nil {
				return err
			}
			if local == "-" {
				return s.engine.CopyTo(ctx, c.ID, dst, os.Stdin)
			}
			// Into an existing directory under the source's name, else as dst.
			dir, name := dst, path.Base(strings.TrimRight(local, "/"))
			kind, err := s.engine.PathKind(ctx, c.ID, dst)
			if err != nil {
				return err
			}
			if kind != "dir" {
				dir, name = path.Dir(path.Clean("/"+dst)), path.Base(path.Clean("/"+dst))
			}
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(tarHostPath(pw, local, name, f.archive)) }()
			return s.engine.CopyTo(ctx, c.ID, dir, pr)
		},
	}
	cmd.Flags().IntVar(&f.index, "index", 0, "Index of the container if service has multiple replicas")
	cmd.Flags().BoolVarP(&f.archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	return cmd
}

// tarHostPath writes the host's src (a file or directory) as a tar whose
// top entry is named name; owners are root's unless archive.
func tarHostPath(w io.Writer, src, name string, archive bool) error {
	tw := tar.NewWriter(w)
	root, err := os.OpenRoot(path.Dir(path.Clean(src)))
	if err != nil {
		return err
	}
	defer root.Close()
	base := path.Base(path.Clean(src))
	var walk func(rel, as string) error
	walk = func(rel, as string) error {
		fi, err := root.Lstat(rel)
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&os.ModeSymlink != 0 {
			if link, err = root.Readlink(rel); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = as
		if fi.IsDir() {
			hdr.Name += "/"
		}
		if !archive {
			hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		switch {
		case fi.Mode().IsRegular():
			f, err := root.Open(rel)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		case fi.IsDir():
			d, err := root.Open(rel)
			if err != nil {
				return err
			}
			names, err := d.Readdirnames(-1)
			d.Close()
			if err != nil {
				return err
			}
			for _, n := range names {
				if err := walk(path.Join(rel, n), path.Join(as, n)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(base, name); err != nil {
		return err
	}
	return tw.Close()
}

// extractOnHost writes a container's tar (its top entry named top) to dst:
// into dst when it is a directory, else as dst. Everything goes through an
// os.Root, so no entry lands outside the destination.
func extractOnHost(r io.Reader, dst, top string) error {
	dir, rename := dst, ""
	if fi, err := os.Stat(dst); err != nil || !fi.IsDir() {
		dir, rename = path.Dir(path.Clean(dst)), path.Base(path.Clean(dst))
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if rename != "" {
			if rest, ok := strings.CutPrefix(name, top); ok && (rest == "" || rest[0] == '/') {
				name = rename + rest
			}
		}
		mode := os.FileMode(hdr.Mode & 0o777)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return err
			}
			root.Chmod(name, mode)
		case tar.TypeReg:
			f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			root.Remove(name)
			if err := root.Symlink(hdr.Linkname, name); err != nil {
				return err
			}
		default:
			return fmt.Errorf("cp: %q: entries of this type are not copied to the host", hdr.Name)
		}
	}
}
