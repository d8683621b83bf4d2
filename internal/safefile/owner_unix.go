//go:build unix

package safefile

import "os"

// RestrictToOwner makes path accessible to its owner only. On Unix the
// modes given at creation (0600 files, 0700 directories) already do; this
// is for Windows, where owner-only is an ACL.
func RestrictToOwner(string) error { return nil }

// replace renames tmp over path.
func replace(tmp, path string) error { return os.Rename(tmp, path) }
