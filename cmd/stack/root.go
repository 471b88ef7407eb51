package main

import "github.com/spf13/cobra"

// newRootCommand is the stack command. Its persistent flags (-f, -p,
// --project-directory, --env-file, --profile) land in one globalFlags that
// each verb loads its project through.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "stack",
		Short:         "Run Compose projects with stack's own container engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	g := &globalFlags{}
	g.register(root)
	g.ui.register(root)
	root.AddCommand(newConfigCommand(g))
	root.AddCommand(newImageCommand(g), newImagesCommand(g))
	root.AddCommand(newBuildCommand(g))
	root.AddCommand(newPullCommand(g), newPushCommand(g), newBuilderCommand(g))
	root.AddCommand(newVersionCommand())
	root.AddCommand(newNetworkCommand(g))
	root.AddCommand(newUpCommand(g), newDownCommand(g), newPsCommand(g), newLsCommand(g), newLogsCommand(g),
		newExecCommand(g), newCpCommand(g), newRunCommand(g), newCreateCommand(g), newStartCommand(g), newStopCommand(g),
		newRestartCommand(g), newKillCommand(g), newRmCommand(g), newPauseCommand(g), newUnpauseCommand(g),
		newTopCommand(g), newWaitCommand(g), newScaleCommand(g), newVolumeCommand(g), newPortCommand(g),
		newEventsCommand(g), newStatsCommand(g))
	return root
}
