package main

import "github.com/spf13/cobra"

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "stack",
		Short:         "Run Compose projects with stack's own container engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	return root
}
