package linux

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrNoSuchUser says the image has no such user or group.
var ErrNoSuchUser = errors.New("no matching entries in passwd file")

// execUser is who the service runs as.
type execUser struct {
	UID, GID uint32
	Groups   []uint32
	Home     string
}

// resolveUser resolves Docker's user syntax (user, user:group, uid, uid:gid)
// against the container's /etc/passwd and /etc/group, read from etc. Numeric
// ids need no entry; names must exist. Supplementary groups are the user's
// memberships plus groupAdd.
func resolveUser(etc string, spec string, groupAdd []string) (execUser, error) {
	u := execUser{Home: "/"}
	name, group, hasGroup := strings.Cut(spec, ":")
	if name == "" {
		name = "0"
	}
	passwd := readColonFile(etc + "/passwd")
	userName := ""
	if id, err := strconv.ParseUint(name, 10, 32); err == nil {
		u.UID = uint32(id)
		for _, f := range passwd {
			if len(f) >= 6 && f[2] == name {
				userName, u.GID, u.Home = f[0], parseID(f[3]), f[5]
				break
			}
		}
	} else {
		found := false
		for _, f := range passwd {
			if len(f) >= 6 && f[0] == name {
				userName, u.UID, u.GID, u.Home, found = f[0], parseID(f[2]), parseID(f[3]), f[5], true
				break
			}
		}
		if !found {
			return u, fmt.Errorf("unable to find user %s: %w", name, ErrNoSuchUser)
		}
	}
	groups := readColonFile(etc + "/group")
	if hasGroup {
		gid, err := lookupGroup(groups, group)
		if err != nil {
			return u, err
		}
		u.GID = gid
	}
	if userName != "" && !hasGroup {
		for _, f := range groups {
			if len(f) >= 4 && f[3] != "" && contains(strings.Split(f[3], ","), userName) && parseID(f[2]) != u.GID {
				u.Groups = append(u.Groups, parseID(f[2]))
			}
		}
	}
	for _, g := range groupAdd {
		gid, err := lookupGroup(groups, g)
		if err != nil {
			return u, err
		}
		u.Groups = append(u.Groups, gid)
	}
	return u, nil
}

func lookupGroup(groups [][]string, g string) (uint32, error) {
	if id, err := strconv.ParseUint(g, 10, 32); err == nil {
		return uint32(id), nil
	}
	for _, f := range groups {
		if len(f) >= 3 && f[0] == g {
			return parseID(f[2]), nil
		}
	}
	return 0, fmt.Errorf("unable to find group %s: no matching entries in group file", g)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}

func parseID(s string) uint32 {
	n, _ := strconv.ParseUint(s, 10, 32)
	return uint32(n)
}

// readColonFile reads a passwd-style file; a missing file reads as empty.
func readColonFile(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out
}
