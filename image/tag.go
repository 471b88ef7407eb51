package image

import (
	"context"
	"fmt"
)

// Tag points the name target (name[:tag], normalised) at the image source
// names, as `docker tag` does; a name that pointed elsewhere moves.
func (s *Store) Tag(ctx context.Context, source, target string) error {
	name, err := normalizeTag(target)
	if err != nil {
		return fmt.Errorf("tag image %q: %w", source, err)
	}
	return s.withMeta(ctx, func(r refs) (bool, error) {
		id, err := s.resolve(source, r)
		if err != nil {
			return false, fmt.Errorf("tag image %q: %w", source, err)
		}
		r[name] = id.String()
		return true, nil
	})
}
