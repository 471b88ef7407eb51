// Package linux is stack's container engine on the Linux kernel: it
// implements runtime.Runtime with namespaces, pivot_root, overlayfs and
// cgroups, and holds the two hidden processes of a container: the monitor
// (one per container, detached, its parent) and init (PID 1 inside it).
//
// The CLI, the monitor and init are the same binary. A binary that embeds
// the engine calls Reexec first thing in main; it runs the monitor or init
// when the process was started as one and reports whether it did.
//
// On disk (see Paths): the persistent directory keeps each container's
// config.json (the spec and the image it was made from), state.json (written
// by the monitor, atomically), its log and its overlay upper layer; the run
// directory keeps what a reboot must forget: the monitor's lock and socket.
package linux
