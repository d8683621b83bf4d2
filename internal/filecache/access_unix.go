//go:build unix

package filecache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/tempcreds/tempcreds/internal/safefile"
)

// noFollowFlag refuses a symlink as the last component of an open.
const noFollowFlag = syscall.O_NOFOLLOW

// openNoFollow opens an entry for reading without following a symlink and
// without blocking on a FIFO.
func openNoFollow(path string) (*os.File, error) { return safefile.OpenForRead(path) }

// isSymlinkRefusal reports the error of a no-follow open of a symlink.
func isSymlinkRefusal(err error) bool { return errors.Is(err, syscall.ELOOP) }

// checkDirAccess refuses a cache directory owned by another user or
// writable by others. Readable is allowed (a --cache-dir made by mkdir is
// 0755): the entries are 0600 and their names are hashes that tell
// nothing. Writable would let others replace them.
func checkDirAccess(dir string, st fs.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return &InsecureError{dir, fmt.Sprintf("the directory is owned by uid %d, not by you (uid %d)", sys.Uid, os.Getuid()), "choose a cache directory of your own"}
	}
	if st.Mode().Perm()&0o022 != 0 {
		return &InsecureError{dir, fmt.Sprintf("the directory is writable by others (mode %04o)", st.Mode().Perm()), "chmod 700 " + dir}
	}
	return nil
}

// checkFileAccess refuses an entry owned by another user or that others
// may read or write.
func checkFileAccess(path string, st fs.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return &InsecureError{path, fmt.Sprintf("the cache file is owned by uid %d, not by you (uid %d)", sys.Uid, os.Getuid()), "rm " + path}
	}
	if st.Mode().Perm()&0o077 != 0 {
		return &InsecureError{path, fmt.Sprintf("the cache file's mode %04o lets others read or write it", st.Mode().Perm()), "chmod 600 " + path}
	}
	return nil
}
