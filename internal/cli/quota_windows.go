//go:build windows

package cli

// isQuota: Windows reports a full disk or quota as ENOSPC-like errors only.
func isQuota(error) bool { return false }
