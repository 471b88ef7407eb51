package main

import (
	"fmt"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/runtime"
)

// composeImageRow is one line of `stack images`, with docker compose's JSON names.
type composeImageRow struct {
	ContainerName string
	Repository    string
	Tag           string
	ID            string
	Size          int64
}

// newImagesCommand is `stack images`: the images the project's containers
// were created from, as docker compose images lists them. The whole store
// is `stack image ls`.
func newImagesCommand(g *globalFlags) *cobra.Command {
	var format string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "images [OPTIONS] [SERVICE...]",
		Short: "List images used by the created containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.onContainers(cmd.Context(), reading, args, listOptions{stopped: true}, func(s *session, _ []string, cs []runtime.State) error {
				rows := composeImageRows(s.images, cs)
				if quiet {
					seen := map[string]bool{}
					for _, r := range rows {
						if !seen[r.ID] {
							seen[r.ID] = true
							fmt.Fprintln(cmd.OutOrStdout(), r.ID)
						}
					}
					return nil
				}
				return printFormatted(cmd.OutOrStdout(), format, rows,
					[]string{"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"},
					func(r composeImageRow) []string {
						return []string{r.ContainerName, r.Repository, r.Tag, shortID(r.ID), units.HumanSizeWithPrecision(float64(r.Size), 3)}
					})
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "Format the output. Values: [table | json]")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display IDs")
	return cmd
}

// composeImageRows describes each container's image from the store; an image
// removed since reads as its reference alone.
func composeImageRows(store *image.Store, cs []runtime.State) []composeImageRow {
	var rows []composeImageRow
	for _, c := range cs {
		repo, tag := image.SplitName(c.Image)
		r := composeImageRow{ContainerName: c.Name, Repository: image.FamiliarName(repo), Tag: tag}
		if img, err := store.Get(c.Image); err == nil {
			r.ID, r.Size = img.ID, img.Size
		}
		rows = append(rows, r)
	}
	return rows
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
