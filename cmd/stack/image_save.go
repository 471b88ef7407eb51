package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newImageSaveCommand(g *globalFlags) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "save [OPTIONS] IMAGE [IMAGE...]",
		Short: "Save one or more images to a tar archive (docker save and OCI layout at once)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				out := cmd.OutOrStdout()
				if f, ok := out.(*os.File); ok && liveTerminal(f) {
					return errors.New("save images: refusing to write an archive to a terminal: use -o or redirect")
				}
				return s.Save(cmd.Context(), out, args...)
			}
			return saveToFile(cmd, output, func(w io.Writer) error { return s.Save(cmd.Context(), w, args...) })
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Write to a file, instead of STDOUT")
	return cmd
}

// saveToFile writes an archive beside path and renames it into place, so a
// failed save leaves no half archive.
func saveToFile(cmd *cobra.Command, path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".stack-save-")
	if err != nil {
		return fmt.Errorf("save images: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("save images %q: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("save images %q: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save images %q: %w", path, err)
	}
	return nil
}
