package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

// defaultStackRoot is where stack keeps images, volumes and containers.
const defaultStackRoot = "/var/lib/stack"

// stackRoot is --root if given, else $STACK_ROOT, else /var/lib/stack.
// (The image verbs register --root themselves until the global flags have it.)
func stackRoot(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup("root"); f != nil && f.Changed {
		return f.Value.String()
	}
	if v := os.Getenv("STACK_ROOT"); v != "" {
		return v
	}
	return defaultStackRoot
}

func addRootFlag(cmd *cobra.Command) {
	if cmd.PersistentFlags().Lookup("root") == nil {
		cmd.PersistentFlags().String("root", defaultStackRoot, "stack's state directory (or $STACK_ROOT)")
	}
}

func openImageStore(cmd *cobra.Command) (*image.Store, error) {
	return image.Open(stackRoot(cmd))
}

// newImageCommand is `stack image`: import, load, ls, rm, inspect.
func newImageCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage images",
	}
	addRootFlag(cmd)
	cmd.AddCommand(newImageImportCommand(), newImageLoadCommand(), newImageListCommand("ls"),
		newImageRemoveCommand(), newImageInspectCommand())
	return cmd
}

// newImagesCommand is `stack images`, `stack image ls` at the top level.
func newImagesCommand() *cobra.Command {
	cmd := newImageListCommand("images")
	addRootFlag(cmd)
	return cmd
}
