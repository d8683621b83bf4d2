//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// RestrictToOwner makes path accessible to its owner only. On Unix the
// modes given at creation (0600 files, 0700 directories) already do; this
// is for Windows, where owner-only is an ACL.
func RestrictToOwner(string) error { return nil }

// replace renames tmp over path.
func replace(tmp, path string) error { return os.Rename(tmp, path) }

// OpenForRead opens path for reading without following a symlink (the
// error is then ELOOP) and without blocking on a FIFO.
func OpenForRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
