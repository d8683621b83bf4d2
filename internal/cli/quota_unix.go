//go:build unix

package cli

import (
	"errors"
	"syscall"
)

// isQuota reports a disk quota exceeded.
func isQuota(err error) bool { return errors.Is(err, syscall.EDQUOT) }
