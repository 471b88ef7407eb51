package linux

import "github.com/stackorch/stack/runtime"

// initConfig is what the monitor sends init over the sync socket: every
// host path already resolved, so init only mounts, pivots and execs.
type initConfig struct {
	Rootfs string   // mountpoint, on the host
	Lower  []string // layer directories, top first
	// Targets is the shared layer of mount points stacked on Lower at
	// each start (see targetsLayer); empty: init makes them.
	Targets  string `json:",omitempty"`
	Upper    string
	Work     string
	ReadOnly bool
	Mounts   []initMount
	Files    map[string]string // container path -> host file bound over it (hosts, resolv.conf, hostname)

	Hostname   string
	Domainname string
	Sysctls    map[string]string
	Privileged bool
	ShmSize    int64

	Args       []string // resolved: entrypoint + command
	Env        []string
	Cwd        string
	User       string // as written: name or uid, optional :group
	GroupAdd   []string
	Caps       []string // the bounding set, CAP_ names
	NoNewPrivs bool
	// Seccomp is the filter the service and every exec run under, as
	// encodeBPF packs it; nil for none (privileged, unconfined).
	Seccomp     []byte `json:",omitempty"`
	Rlimits     []runtime.Ulimit
	Devices     []initDevice
	OOMScoreAdj int  `json:",omitempty"`
	Init        bool // stay as PID 1 reaping, with the service as a child
	// Reaper is the host path of the lean init to exec into once the
	// service runs (see execReaper); empty: init reaps itself.
	Reaper string `json:",omitempty"`
	// CgroupTasks are the container cgroup's v1 tasks files, which the
	// thread that forks or execs the service joins (see joinSelf); with
	// init: true, it goes back to OwnTasks after the fork, so init itself
	// counts against no limit of the container.
	CgroupTasks []string `json:",omitempty"`
	OwnTasks    []string `json:",omitempty"`
	Tty         bool
}

// initMount is one mount made inside the container before pivot_root.
type initMount struct {
	Source   string // host path, or the file system name for tmpfs
	Target   string // container path
	Type     string // bind or tmpfs
	Data     string // tmpfs options
	ReadOnly bool
	File     bool // the source is a file: the target is a file too
	Private  bool // propagation: rprivate unless set otherwise
}

// initDevice is a device node made in the container's /dev.
type initDevice struct {
	Path         string // in the container
	Char         bool   // else a block device
	Major, Minor uint32
	Mode         uint32
	UID, GID     int
	Access       string `json:",omitempty"` // the device cgroup's: rwm when empty
}

// initReply is init's one message back: the service's pid in the
// container, or why it could not start.
type initReply struct {
	Pid   int    `json:",omitempty"`
	Error string `json:",omitempty"`
}
