package main

import (
	"github.com/spf13/cobra"
)

// newImageCommand is `stack image`: import, load, ls, rm, inspect, pull,
// push, save, tag, build.
func newImageCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage images",
	}
	cmd.AddCommand(newImageImportCommand(g), newImageLoadCommand(g), newImageListCommand(g, "ls"),
		newImageRemoveCommand(g), newImageInspectCommand(g), newImagePullCommand(g), newImagePushCommand(g),
		newImageSaveCommand(g), newImageTagCommand(g), newImageBuildCommand(g))
	return cmd
}
