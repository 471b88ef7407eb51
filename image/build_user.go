package image

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// lookupUser resolves "user[:group]" (names or numbers) with the image's
// /etc/passwd and /etc/group, as --chown and WORKDIR's owner need it. A
// user without a group takes the user's primary group, or 0 for a number
// /etc/passwd does not list.
func lookupUser(fsys srcFS, spec string) (uid, gid int, err error) {
	user, group, hasGroup := strings.Cut(spec, ":")
	if user == "" {
		return 0, 0, fmt.Errorf("user %q: empty", spec)
	}
	uidNum, uerr := strconv.Atoi(user)
	found := false
	for _, f := range dbEntries(fsys, "etc/passwd") {
		if len(f) < 4 || (f[0] != user && (uerr != nil || f[2] != user)) {
			continue
		}
		uid, _ = strconv.Atoi(f[2])
		gid, _ = strconv.Atoi(f[3])
		found = true
		break
	}
	switch {
	case !found && uerr != nil:
		return 0, 0, fmt.Errorf("user %q: not in /etc/passwd", user)
	case !found:
		uid, gid = uidNum, 0
	}
	if !hasGroup {
		return uid, gid, nil
	}
	if n, err := strconv.Atoi(group); err == nil {
		return uid, n, nil
	}
	for _, f := range dbEntries(fsys, "etc/group") {
		if len(f) >= 3 && f[0] == group {
			gid, _ = strconv.Atoi(f[2])
			return uid, gid, nil
		}
	}
	return 0, 0, fmt.Errorf("group %q: not in /etc/group", group)
}

// dbEntries reads the colon-separated lines of /etc/passwd or /etc/group,
// a megabyte at most.
func dbEntries(fsys srcFS, name string) [][]string {
	f, err := fsys.open(resolve(fsys, name))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, strings.Split(line, ":"))
		}
	}
	return out
}
