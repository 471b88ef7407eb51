package runtime

import "time"

// Spec is everything an engine needs to create one container. Fields left
// zero take the image's value or Docker's default.
type Spec struct {
	Name       string // unique: <project>-<service>-<n>
	Image      string // image reference as written in the compose file
	Labels     map[string]string
	Hostname   string
	Domainname string

	// Entrypoint and Command override the image's when non-nil; an empty
	// non-nil Entrypoint resets the image's entrypoint, as Docker does.
	Entrypoint []string
	Command    []string
	Env        []string // KEY=VALUE, applied over the image's environment
	WorkingDir string
	User       string
	GroupAdd   []string
	Init       *bool // nil means true: stack init runs as PID 1
	Tty        bool
	StdinOpen  bool
	// StdinOnce closes the service's stdin when the first attached client's
	// input ends (stack run), as Docker's StdinOnce.
	StdinOnce bool

	ReadOnly    bool
	Privileged  bool
	CapAdd      []string
	CapDrop     []string
	SecurityOpt []string
	Sysctls     map[string]string
	Ulimits     []Ulimit
	Devices     []Device

	Mounts  []Mount
	Tmpfs   []string // target[:options]
	ShmSize int64    // bytes; 0 means 64 MiB
	// VolumesFrom mounts every mount of other containers: each entry is a
	// container name, optionally suffixed ":ro" or ":rw".
	VolumesFrom []string

	Resources   Resources
	OOMScoreAdj int // the process's oom_score_adj; 0 leaves the default

	StopSignal      string        // empty means SIGTERM (or the image's)
	StopGracePeriod time.Duration // zero means 10s
	Restart         RestartPolicy
	Healthcheck     *Healthcheck // nil means the image's

	Network Network
}

// Ulimit is one resource limit; Soft and Hard as in setrlimit(2).
type Ulimit struct {
	Name string // nofile, nproc, core, ...
	Soft int64
	Hard int64
}

// Device is a host device made available in the container.
type Device struct {
	Source      string
	Target      string
	Permissions string // rwm
}

// MountType is how a Mount's source is provided.
type MountType string

const (
	MountBind   MountType = "bind"
	MountVolume MountType = "volume"
	MountTmpfs  MountType = "tmpfs"
)

// Mount is a file system attached to the container at Target.
type Mount struct {
	Type     MountType
	Source   string // host path for bind, volume name for volume
	Target   string
	ReadOnly bool
	// Options: propagation, tmpfs size and mode, volume nocopy.
	Propagation string
	TmpfsSize   int64
	TmpfsMode   uint32
	NoCopy      bool
	// Bind: create a missing host directory (compose short syntax).
	CreateHostPath bool
	// UID, GID and Mode of a file mounted from a secret or config.
	UID, GID string
	Mode     *uint32
	// Volume: an anonymous volume, named after its container; removed with
	// the container by rm -v and renewed by up -V.
	Anonymous bool
	// Content, when non-nil, is the file's content (a secret or config given
	// inline or from the environment): the engine writes it to a private file
	// and binds that read-only at Target. Type is MountBind, Source is empty.
	Content []byte
}

// Resources are the cgroup limits of a container. Zero means unlimited.
type Resources struct {
	Memory            int64 // bytes
	MemoryReservation int64
	MemorySwap        int64
	NanoCPUs          int64 // 1e9 = one CPU
	CPUPeriod         int64 // CFS period in microseconds (cpu_period)
	CPUQuota          int64 // CFS quota in microseconds per period (cpu_quota)
	CPUShares         int64
	CPUSet            string
	PidsLimit         int64
	OOMKillDisable    bool
}

// RestartPolicy is Docker's restart policy: no, always, on-failure,
// unless-stopped.
type RestartPolicy struct {
	Name       string
	MaxRetries int // on-failure only; 0 means unlimited
}

// Healthcheck is a command run in the container to decide its health.
type Healthcheck struct {
	Test          []string // ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"]
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}

// Network says how the container is networked.
type Network struct {
	// Mode is "" (bridge networks below), "host", "none",
	// "container:<name or id>".
	Mode        string
	Attachments []Attachment
	Ports       []Port
	DNS         []string
	DNSSearch   []string
	DNSOptions  []string
	ExtraHosts  []string // host:ip
	IPC         string   // "", "private", "shareable", "host", "container:<name>"
	PID         string   // "", "host", "container:<name>"
}

// Attachment joins a container to one network.
type Attachment struct {
	Network     string // the network's full name, e.g. myproj_default
	Aliases     []string
	IPv4Address string
	MACAddress  string
	Priority    int
}

// Port publishes a container port on the host.
type Port struct {
	HostIP        string
	HostPort      uint16 // 0 means ephemeral
	ContainerPort uint16
	Protocol      string // tcp or udp
}
