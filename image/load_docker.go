package image

import (
	"fmt"
	"path"
)

// dockerManifest is one entry of a `docker save` manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// dockerImages reads the images of a `docker save` archive. An image whose
// manifest.json entry has no RepoTags takes its names from the legacy
// repositories file, which names an image by the directory of its top layer.
func (a *archive) dockerImages() ([]archImage, error) {
	var entries []dockerManifest
	if err := a.readJSON("manifest.json", &entries); err != nil {
		return nil, err
	}
	legacy := map[string][]string{} // top layer directory -> repo:tag
	if a.has("repositories") {
		var repos map[string]map[string]string
		if err := a.readJSON("repositories", &repos); err != nil {
			return nil, err
		}
		for repo, tags := range repos {
			for tag, layer := range tags {
				legacy[layer] = append(legacy[layer], repo+":"+tag)
			}
		}
	}
	var images []archImage
	for _, e := range entries {
		config, err := a.file(e.Config)
		if err != nil {
			return nil, fmt.Errorf("manifest.json: config: %w", err)
		}
		im := archImage{config: config}
		for _, l := range e.Layers {
			sp, err := a.file(l)
			if err != nil {
				return nil, fmt.Errorf("manifest.json: layer: %w", err)
			}
			im.layers = append(im.layers, sp)
		}
		names := e.RepoTags
		if len(names) == 0 && len(e.Layers) > 0 {
			names = legacy[path.Dir(archiveName(e.Layers[len(e.Layers)-1]))]
		}
		if im.names, err = normalizeNames(names); err != nil {
			return nil, fmt.Errorf("manifest.json: %w", err)
		}
		images = append(images, im)
	}
	return images, nil
}
