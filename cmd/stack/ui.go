package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

// uiFlags are the global flags that shape output, as docker compose's.
type uiFlags struct {
	progress string // auto, tty, plain, quiet
	ansi     string // auto, never, always
	dryRun   bool
}

func (u *uiFlags) register(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&u.progress, "progress", "auto", `Set type of progress output ("auto", "tty", "plain", "quiet")`)
	f.StringVar(&u.ansi, "ansi", "auto", `Control when to print ANSI control characters ("never"|"always"|"auto")`)
	f.BoolVar(&u.dryRun, "dry-run", false, "Print what would change, change nothing")
}

func (u *uiFlags) check() error {
	switch u.progress {
	case "auto", "tty", "plain", "quiet", "json":
	default:
		return fmt.Errorf("progress: unsupported value %q (auto, tty, plain or quiet)", u.progress)
	}
	switch u.ansi {
	case "auto", "never", "always":
	default:
		return fmt.Errorf("ansi: unsupported value %q (never, always or auto)", u.ansi)
	}
	return nil
}

// colors reports whether output to f may use ANSI colors.
func (u *uiFlags) colors(f *os.File) bool {
	switch u.ansi {
	case "never":
		return false
	case "always":
		return true
	}
	return isTerminal(f)
}

// liveProgress reports whether progress redraws in place on stderr.
func (u *uiFlags) liveProgress() bool { return u.live(isTerminal(os.Stderr)) }

// live reports whether a display redraws in place: as --progress says, else
// when --ansi allows and its output is a terminal.
func (u *uiFlags) live(terminal bool) bool {
	switch u.progress {
	case "tty":
		return true
	case "plain", "quiet", "json":
		return false
	}
	return u.ansi != "never" && terminal
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
