package filecache

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultSingleFile is aws-sts-helper's default cache file.
const DefaultSingleFile = "./.aws-sts.json"

// SingleFile is aws-sts-helper's cache: one file for one set of credentials,
// with a configurable mode. Entries written by the helper itself (no
// metadata) are accepted by the Provider only for the role they name.
type SingleFile struct {
	Path string
	Mode fs.FileMode // default 0600; never wider than owner-only
	Warn func(msg string)
}

func (s *SingleFile) mode() fs.FileMode {
	if s.Mode == 0 {
		return 0o600
	}
	return s.Mode
}

// Read returns the file's entry whatever its key; (nil, nil) if none.
func (s *SingleFile) Read(string) (*Entry, error) { return readEntry(s.Path, s.Warn) }

// Write replaces the file atomically with the configured mode.
func (s *SingleFile) Write(_ string, e *Entry) error {
	if dir := filepath.Dir(s.Path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("tempcreds: creating %s: %w", dir, err)
		}
	}
	return writeAtomic(s.Path, s.mode(), e)
}

// Lock takes the cross-process lock of the file (PATH.lock).
func (s *SingleFile) Lock(ctx context.Context, _ string) (func(), error) {
	return lockFile(ctx, s.Path+".lock", 0)
}
