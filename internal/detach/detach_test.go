package detach

import (
	"os"
	"path/filepath"
	"testing"
)

func TestJobsAreDoneHereInTheirOrderWhenTheProcessCannotStart(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "missing")} {
		var j Jobs
		var done []string
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if fd := j.Pass(w); fd != 3 {
			t.Errorf("the first file passed is descriptor %d, want 3", fd)
		}
		j.Add("A=1", func() { done = append(done, "a") })
		j.Add("B=2", func() { done = append(done, "b") })
		j.Start(path)
		if len(done) != 2 || done[0] != "a" || done[1] != "b" {
			t.Errorf("path %q: done %v, want [a b]", path, done)
		}
		// The passed file is closed: the pipe reads its end.
		if n, err := r.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("path %q: the passed file is still open (read %d, %v)", path, n, err)
		}
		done = nil
		j.Start(path)
		if len(done) != 0 {
			t.Errorf("path %q: a second Start did the jobs again: %v", path, done)
		}
	}
}

func TestNoJobsStartNothing(t *testing.T) {
	var j Jobs
	j.Start("/bin/false-not-to-be-run")
}
