// Package safefile is the one way tempcreds writes a file that holds a
// secret (cache entries, --out, serve --token-file, --cache-file) and opens
// a lock file beside one. Its rules, enforced here and nowhere else:
//
//   - an existing path that is not a regular file (a device such as
//     /dev/null, a FIFO, a socket, a directory, a symlink) is refused, never
//     replaced or written through;
//   - the mode may not be wider than owner-only (no group or other bits);
//   - the data is written to a temp file in the same directory (created
//     0600 with O_EXCL), fsynced, given its mode, renamed over the path, and
//     the directory is fsynced: readers see the old file or the new one;
//   - lock files are opened without following symlinks and must be regular.
//
// Temp files of a writer that was killed are named TempPattern and swept by
// SweepTemps.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TempInfix marks this package's temp files: ".NAME.tmp-PID-RANDOM", PID
// the writer's process ID (a sweep never removes a live writer's file).
const TempInfix = ".tmp-"

// UnsafeError is returned for a path or mode this package refuses.
type UnsafeError struct {
	Path   string
	Reason string
	Fix    string
}

// Error names the path, what is wrong and how to fix it.
func (e *UnsafeError) Error() string {
	return fmt.Sprintf("refusing %s: %s (%s)", e.Path, e.Reason, e.Fix)
}

// CheckMode refuses a mode with any group or other bit, or without owner
// read and write.
func CheckMode(mode fs.FileMode) error {
	if mode.Perm()&0o077 != 0 || mode.Perm()&0o600 != 0o600 {
		return fmt.Errorf("mode %04o is not owner-only: a file of credentials must be 0600 (or 0700)", mode.Perm())
	}
	return nil
}

// checkTarget refuses an existing path that is not a regular file.
func checkTarget(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	switch m := st.Mode(); {
	case m&fs.ModeSymlink != 0:
		return &UnsafeError{path, "it is a symlink; credentials are never written through one", "remove it or choose another path"}
	case !m.IsRegular():
		return &UnsafeError{path, fmt.Sprintf("it exists and is not a regular file (%s); it would be replaced", describe(m)), "choose a path that is a regular file or does not exist"}
	}
	return nil
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// CreateTemp creates a temp file ".NAME.tmp-PID-RANDOM" in dir, owner-only
// (0600, and an owner-only ACL on Windows), that SweepTemps removes once its
// writer is gone: a copy of a file that a SIGKILL leaves behind is swept by
// the next write in that directory.
func CreateTemp(dir, name string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "."+name+TempInfix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, err
	}
	if err := RestrictToOwner(f.Name()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// Write replaces path atomically with data and mode (owner-only).
func Write(path string, data []byte, mode fs.FileMode) error {
	if err := CheckMode(mode); err != nil {
		return &UnsafeError{path, err.Error(), "use 0600"}
	}
	if err := checkTarget(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	// A writer of this file that was killed left a temp file with full
	// credentials: every write sweeps this file's stale ones.
	sweepStale(dir, "."+filepath.Base(path)+TempInfix)
	tmp, err := CreateTemp(dir, filepath.Base(path))
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	// CreateTemp's 0600 ignores the umask only downwards; an explicit chmod
	// gives exactly mode.
	if err := tmp.Chmod(mode.Perm()); err != nil {
		return err
	}
	// Windows ignores modes: the temp file gets an owner-only ACL before
	// any secret is written to it.
	if err := RestrictToOwner(name); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Check again just before replacing: rename swaps the directory entry
	// and never writes through, but it must not replace a device.
	if err := checkTarget(path); err != nil {
		return err
	}
	if err := replace(name, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// StaleAge is how old a temp file must be to be swept: a live writer holds
// one for milliseconds.
const StaleAge = time.Minute

// sweepStale removes temp files in dir that start with prefix, are older
// than StaleAge and whose writer is gone.
func sweepStale(dir, prefix string) {
	matches, _ := filepath.Glob(filepath.Join(dir, globEscape(prefix)+"*"))
	for _, m := range matches {
		if st, err := os.Lstat(m); err == nil && st.Mode().IsRegular() && abandoned(filepath.Base(m), st.ModTime(), StaleAge) {
			_ = os.Remove(m)
		}
	}
}

// abandoned reports whether a temp file may be swept: older than age by
// the wall clock, and its writer (the PID in its name) no longer running.
// The PID makes the sweep robust to a clock step: a live writer's file is
// never swept because the wall clock jumped forward.
func abandoned(name string, mtime time.Time, age time.Duration) bool {
	if age > 0 && time.Since(mtime) < age {
		return false
	}
	_, rest, ok := strings.Cut(name, TempInfix)
	digits, _, dash := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(digits)
	if !ok || !dash || err != nil || pid <= 0 {
		return true // no writer named (an older tempcreds): age alone
	}
	return !processRunning(pid)
}

// globEscape escapes the glob metacharacters of a file name.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}

// SweepTemps removes this package's temp files in dir older than age (a
// writer that was SIGKILLed leaves one holding full credentials) whose
// writer is no longer running, and returns how many it removed. age 0
// takes any age: a live writer's file is still left alone.
func SweepTemps(dir string, age time.Duration) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, ".") || !strings.Contains(name, TempInfix) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || !abandoned(name, info.ModTime(), age) {
			continue
		}
		if os.Remove(filepath.Join(dir, name)) == nil {
			n++
		}
	}
	return n, nil
}
