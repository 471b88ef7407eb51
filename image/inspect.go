package image

import (
	"slices"
	"strings"
	"time"
)

// Inspect is an image as `docker image inspect` shows it.
type Inspect struct {
	ID           string `json:"Id"`
	RepoTags     []string
	RepoDigests  []string
	Parent       string
	Comment      string
	Created      time.Time
	Author       string
	Config       Config
	Architecture string
	Variant      string `json:",omitempty"`
	Os           string
	Size         int64
	GraphDriver  GraphDriver
	RootFS       RootFS
	Metadata     struct{ LastTagTime time.Time }
}

// GraphDriver tells where the layers are: LowerDir lists them top first, as
// overlayfs's lowerdir= option takes them.
type GraphDriver struct {
	Name string
	Data map[string]string
}

// RootFS lists the layers' diffIDs, bottom to top.
type RootFS struct {
	Type   string
	Layers []string
}

// Inspect returns img in the shape of `docker image inspect`, names in their
// familiar form as Docker prints them.
func (img Image) Inspect() Inspect {
	out := Inspect{
		ID:           img.ID,
		RepoTags:     []string{},
		RepoDigests:  []string{},
		Created:      img.Created,
		Author:       img.Author,
		Config:       img.Config,
		Architecture: img.Architecture,
		Variant:      img.Variant,
		Os:           img.OS,
		Size:         img.Size,
		RootFS:       RootFS{Type: "layers", Layers: append([]string{}, img.DiffIDs...)},
	}
	for _, t := range img.RepoTags {
		out.RepoTags = append(out.RepoTags, FamiliarName(t))
	}
	for _, d := range img.RepoDigests {
		out.RepoDigests = append(out.RepoDigests, FamiliarName(d))
	}
	lower := slices.Clone(img.Layers)
	slices.Reverse(lower)
	out.GraphDriver = GraphDriver{Name: "overlay", Data: map[string]string{"LowerDir": strings.Join(lower, ":")}}
	out.Metadata.LastTagTime = img.Stored
	return out
}
