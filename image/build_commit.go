package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// commit stores the target stage as an image named names. The image's
// creation time is the time this very config (layers included) was first
// built, remembered in the build cache, so rebuilding unchanged inputs
// makes the same image ID.
func (b *builder) commit(ctx context.Context, st *buildState, names []string) (Image, error) {
	cf := st.clone().cfg
	for k, v := range b.spec.Labels {
		if cf.Config.Labels == nil {
			cf.Config.Labels = map[string]string{}
		}
		cf.Config.Labels[k] = v
	}
	cf.Created = v1.Time{}
	data, err := json.Marshal(cf)
	if err != nil {
		return Image{}, err
	}
	sum := sha256.Sum256(append([]byte("IMAGE\n"), data...))
	key := hex.EncodeToString(sum[:])
	created := time.Now().UTC().Truncate(time.Second)
	if rec, _, ok := b.s.lookupCache(key); ok && !b.spec.NoCache {
		created = rec.Created
	} else if err := b.s.storeCache(key, cacheRecord{Empty: true, Created: created}); err != nil {
		return Image{}, err
	}
	cf.Created = v1.Time{Time: created}
	for i := range cf.History {
		if cf.History[i].Created.IsZero() {
			cf.History[i].Created = cf.Created
		}
	}
	config, err := json.Marshal(cf)
	if err != nil {
		return Image{}, err
	}
	id, err := b.s.putBlob(config)
	if err != nil {
		return Image{}, err
	}
	manifest, err := b.s.putManifest(newManifest(config, id, st.layers))
	if err != nil {
		return Image{}, err
	}
	if err := b.s.commit(ctx, id, manifest, st.layers, names, nil); err != nil {
		return Image{}, err
	}
	return b.s.Get(id.String())
}
