package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// layerInfo is layer.json: what the store knows of an unpacked layer.
type layerInfo struct {
	DiffID v1.Hash `json:"diffID"`
	Size   int64   `json:"size"`
}

func (s *Store) readLayerInfo(diffID v1.Hash) (layerInfo, error) {
	var info layerInfo
	data, err := readFileMax(filepath.Join(s.layerDir(diffID), "layer.json"), 1<<16)
	if errors.Is(err, os.ErrNotExist) {
		return info, fmt.Errorf("layer %q: %w", diffID, ErrNotFound)
	}
	if err != nil {
		return info, fmt.Errorf("read layer %q: %w", diffID, err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("read layer %q: %w", diffID, err)
	}
	return info, nil
}

// unpackLayer unpacks the layer r carries into tmp and renames it into
// layers/ whole. With want set, a stream whose diffID differs is refused and
// nothing is kept; check, when set, has the last word before the rename (a
// pull verifies the blob's digest there). If another process stored the
// same layer meanwhile, its copy is kept and this one discarded.
func (s *Store) unpackLayer(ctx context.Context, r io.Reader, want v1.Hash, check func() error) (layerInfo, error) {
	tmp, err := s.mkTemp("layer-")
	if err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer: %w", err)
	}
	defer os.RemoveAll(tmp) // empty once renamed; everything on failure
	tree := filepath.Join(tmp, "tree")
	if err := os.Mkdir(tree, 0o755); err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer: %w", err)
	}
	os.Chmod(tree, 0o755) // whatever the umask; a "./" entry may change it

	res, err := Unpack(ctx, r, tree, s.Limits)
	if err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer%s: %w", orUnknown(want), err)
	}
	if want.Hex != "" && res.DiffID != want {
		return layerInfo{}, fmt.Errorf("unpack layer %q: content has diffID %q: %w", want, res.DiffID, ErrDigestMismatch)
	}
	if check != nil {
		if err := check(); err != nil {
			return layerInfo{}, err
		}
	}
	info := layerInfo{DiffID: res.DiffID, Size: res.Size}
	data, _ := json.Marshal(info)
	if err := os.WriteFile(filepath.Join(tmp, "layer.json"), data, 0o600); err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer %q: %w", info.DiffID, err)
	}
	// One syncfs makes the whole tree durable before it becomes visible.
	if fd, err := unix.Open(tmp, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
		unix.Syncfs(fd)
		unix.Close(fd)
	}
	dst := s.layerDir(info.DiffID)
	if err := os.Rename(tmp, dst); err != nil {
		if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) {
			return s.readLayerInfo(info.DiffID) // another process won
		}
		return layerInfo{}, fmt.Errorf("store layer %q: %w", info.DiffID, err)
	}
	return info, syncDir(filepath.Dir(dst))
}

// layerFromBlob makes sure the layer in a spooled blob is unpacked. A layer
// already stored is not unpacked again, but the blob must still prove to be
// that layer.
func (s *Store) layerFromBlob(ctx context.Context, sp spooled, want v1.Hash) (layerInfo, error) {
	info, err := s.readLayerInfo(want)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return info, err
	}
	f, ferr := os.Open(sp.path)
	if ferr != nil {
		return layerInfo{}, fmt.Errorf("unpack layer %q: %w", want, ferr)
	}
	defer f.Close()
	if err != nil {
		return s.unpackLayer(ctx, f, want, nil)
	}
	if sp.digest == want {
		return info, nil // an uncompressed blob: its digest is the diffID
	}
	return info, verifyDiffID(ctx, f, want, s.Limits)
}

// verifyDiffID checks that the layer r carries has the diffID want.
func verifyDiffID(ctx context.Context, r io.Reader, want v1.Hash, lim Limits) error {
	zr, _, err := decompress(r)
	if err != nil {
		return fmt.Errorf("verify layer %q: %w", want, err)
	}
	defer zr.Close()
	h := sha256.New()
	if _, err := io.Copy(io.Discard, &limitedHash{ctx: ctx, r: zr, h: h, max: lim.MaxBytes}); err != nil {
		return fmt.Errorf("verify layer %q: %w", want, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.Hex {
		return fmt.Errorf("verify layer %q: content has diffID \"sha256:%s\": %w", want, got, ErrDigestMismatch)
	}
	return nil
}

func orUnknown(h v1.Hash) string {
	if h.Hex == "" {
		return ""
	}
	return fmt.Sprintf(" %q", h.String())
}
