//go:build unix

package filecache

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestKilledWritersNeverLeaveATornEntry kills a writer process with SIGKILL
// at random moments, many times: the entry is always a whole one, 0600.
func TestKilledWritersNeverLeaveATornEntry(t *testing.T) {
	tries := 200
	if v, err := strconv.Atoi(os.Getenv("TEMPCREDS_KILL_TRIES")); err == nil && v > 0 {
		tries = v
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, umask := range []int{0o022, 0o000} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			dir := filepath.Join(t.TempDir(), "cache")
			s := &Store{Dir: dir}
			last := ""
			for i := range tries {
				cmd := exec.Command(exe, "-test.run", "^$")
				cmd.Env = append(os.Environ(), "FILECACHE_TEST_WRITER="+dir)
				out, _ := cmd.StdoutPipe()
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 6)
				if _, err := out.Read(buf); err != nil { // "ready": at least one entry written
					t.Fatalf("try %d: writer did not start: %v", i, err)
				}
				time.Sleep(time.Duration(i%7) * 300 * time.Microsecond)
				_ = cmd.Process.Kill()
				_ = cmd.Wait()

				e, err := s.Read("0123456789abcdef0123")
				if err != nil || e == nil {
					t.Fatalf("try %d: entry after SIGKILL: %v, %v (torn or missing)", i, e, err)
				}
				st, _ := os.Stat(s.Path("0123456789abcdef0123"))
				if st.Mode().Perm() != 0o600 {
					t.Fatalf("try %d: mode %v", i, st.Mode().Perm())
				}
				last = e.Credentials.AccessKeyId
			}
			dst, _ := os.Stat(dir)
			if dst.Mode().Perm() != 0o700 {
				t.Errorf("dir mode %v, want 0700", dst.Mode().Perm())
			}
			t.Logf("%d SIGKILLs, every entry whole and 0600 (last %s)", tries, last)
		})
	}
}
