//go:build windows

package miniotest

import "os/exec"

// ownGroup: Windows has no process groups to signal; MinIO is one process.
func ownGroup(*exec.Cmd) {}

// stopGroup kills the process (Windows has no SIGTERM to send).
func stopGroup(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }
