//go:build unix && !linux

package cli

// unreadBytes is unknown here: only a reader that is gone is detected.
func unreadBytes(int) int { return -1 }
