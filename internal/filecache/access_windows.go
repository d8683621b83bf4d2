//go:build windows

package filecache

import (
	"errors"
	"io/fs"
	"os"

	"github.com/tempcreds/tempcreds/internal/safefile"
)

// noFollowFlag: Windows has no O_NOFOLLOW; lockFile's Lstat refuses a
// symlink or junction first.
const noFollowFlag = 0

// openNoFollow refuses a reparse point (symlink, junction) and opens with
// delete sharing, so a writer can replace the entry while it is read.
func openNoFollow(path string) (*os.File, error) { return safefile.OpenForRead(path) }

// isSymlinkRefusal reports openNoFollow's refusal.
func isSymlinkRefusal(err error) bool { return errors.Is(err, safefile.ErrReparsePoint) }

// checkDirAccess refuses a cache directory owned by another user or whose
// ACL lets others write to it.
func checkDirAccess(dir string, st fs.FileInfo) error {
	if problem := safefile.OwnerOnlyProblem(dir, true); problem != "" {
		return &InsecureError{dir, "the directory " + problem, "choose a cache directory of your own (under %LOCALAPPDATA%)"}
	}
	return nil
}

// checkFileAccess refuses an entry owned by another user or whose ACL lets
// others read or write it.
func checkFileAccess(path string, st fs.FileInfo) error {
	if problem := safefile.OwnerOnlyProblem(path, false); problem != "" {
		return &InsecureError{path, "the cache file " + problem, "delete it: tempcreds writes a new one, owner-only"}
	}
	return nil
}
