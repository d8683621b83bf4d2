//go:build windows

package safefile

import "golang.org/x/sys/windows"

// processRunning reports whether a process with this ID exists: it can be
// opened, or opening it is denied (another user's).
func processRunning(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return err == windows.ERROR_ACCESS_DENIED
	}
	defer windows.CloseHandle(h) //nolint:errcheck
	var code uint32
	if windows.GetExitCodeProcess(h, &code) != nil {
		return true
	}
	const stillActive = 259
	return code == stillActive
}
