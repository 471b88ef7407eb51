package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

type imageListFlags struct {
	quiet, noTrunc bool
	format         string
}

// imageRow is one line of `stack images`, with docker's JSON field names.
type imageRow struct {
	ID, Repository, Tag, CreatedAt, CreatedSince, Size, Digest string
}

func newImageListCommand(g *globalFlags, use string) *cobra.Command {
	var f imageListFlags
	cmd := &cobra.Command{
		Use:     use + " [OPTIONS] [REPOSITORY[:TAG]]",
		Aliases: []string{"list"},
		Short:   "List images",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "" && f.format != "json" && f.format != "table" {
				return fmt.Errorf("list images: unsupported format %q (json or table)", f.format)
			}
			s, err := g.images()
			if err != nil {
				return err
			}
			images, err := s.List()
			if err != nil {
				return err
			}
			return printImages(cmd.OutOrStdout(), imageRows(images, args, f.noTrunc), f)
		},
	}
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "Only show image IDs")
	cmd.Flags().BoolVar(&f.noTrunc, "no-trunc", false, "Don't truncate output")
	cmd.Flags().StringVar(&f.format, "format", "", "Format output: table or json")
	return cmd
}

// imageRows makes one row per name (one "<none>" row for an untagged image),
// keeping those the filter in args asks for.
func imageRows(images []image.Image, args []string, noTrunc bool) []imageRow {
	var rows []imageRow
	for _, img := range images {
		id := img.ID
		if !noTrunc {
			id = strings.TrimPrefix(id, "sha256:")[:12]
		}
		row := imageRow{ID: id, Repository: "<none>", Tag: "<none>", Digest: "<none>",
			CreatedAt: "N/A", CreatedSince: "N/A", Size: units.HumanSizeWithPrecision(float64(img.Size), 3)}
		if !img.Created.IsZero() {
			row.CreatedAt = img.Created.Local().Format("2006-01-02 15:04:05 -0700 MST")
			row.CreatedSince = units.HumanDuration(time.Since(img.Created)) + " ago"
		}
		if len(img.RepoTags) == 0 && len(args) == 0 {
			rows = append(rows, row)
		}
		for _, t := range img.RepoTags {
			if len(args) > 0 && !image.MatchName(args[0], t) {
				continue
			}
			row.Repository, row.Tag = image.SplitName(t)
			rows = append(rows, row)
		}
	}
	return rows
}

func printImages(w io.Writer, rows []imageRow, f imageListFlags) error {
	if f.quiet {
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				fmt.Fprintln(w, r.ID)
			}
		}
		return nil
	}
	return printFormatted(w, f.format, rows, []string{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"},
		func(r imageRow) []string { return []string{r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size} })
}
