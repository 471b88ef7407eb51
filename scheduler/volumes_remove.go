package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
	"github.com/stackorch/stack/volume"
)

// ErrVolumeInUse: a volume is mounted by a container and cannot be removed.
var ErrVolumeInUse = errors.New("volume is in use")

// VolumesInUse returns, per volume, the containers of rt that mount it.
func VolumesInUse(ctx context.Context, rt runtime.Runtime) (map[string][]string, error) {
	all, err := rt.List(ctx, nil)
	if err != nil {
		return nil, err
	}
	use := map[string][]string{}
	for _, c := range sortedByName(all) {
		for _, name := range strings.Split(c.Labels[LabelVolumes], ",") {
			if name != "" {
				use[name] = append(use[name], c.Name)
			}
		}
	}
	return use, nil
}

// RemoveVolumes removes the named volumes that no container of rt mounts,
// and says which it removed; one in use or missing is an error, the others
// are still removed.
func RemoveVolumes(ctx context.Context, rt runtime.Runtime, store *volume.Store, names []string) ([]string, error) {
	use, err := VolumesInUse(ctx, rt)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, name := range names {
		if users := use[name]; len(users) > 0 {
			errs = append(errs, fmt.Errorf("remove volume %q: %w by container %s", name, ErrVolumeInUse, strings.Join(users, ", ")))
			continue
		}
		if err := store.Remove(ctx, name); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, name)
	}
	return removed, errors.Join(errs...)
}

// ProjectVolumes names the volumes made for project: its declared volumes
// (not external ones, which it does not label) and its anonymous volumes.
func ProjectVolumes(store *volume.Store, project string) ([]string, error) {
	vols, err := store.List(map[string]string{service.LabelProject: project})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, v := range vols {
		names = append(names, v.Name)
	}
	return names, nil
}

// AnonymousVolumes names the anonymous volumes of the containers named.
func AnonymousVolumes(store *volume.Store, containers ...string) ([]string, error) {
	var names []string
	for _, c := range containers {
		vols, err := store.List(map[string]string{volume.LabelContainer: c, volume.LabelAnonymous: ""})
		if err != nil {
			return nil, err
		}
		for _, v := range vols {
			names = append(names, v.Name)
		}
	}
	return names, nil
}

// UnusedVolumes names the volumes no container mounts; all false keeps
// named volumes, as `docker volume prune` keeps them without --all.
func UnusedVolumes(ctx context.Context, rt runtime.Runtime, store *volume.Store, all bool) ([]string, error) {
	use, err := VolumesInUse(ctx, rt)
	if err != nil {
		return nil, err
	}
	vols, err := store.List(nil)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, v := range vols {
		_, anon := v.Labels[volume.LabelAnonymous]
		if len(use[v.Name]) == 0 && (all || anon) {
			names = append(names, v.Name)
		}
	}
	return names, nil
}
