//go:build unix

package childproc

// ShellArgv runs command line the way credential_process and helper
// commands are run on this platform: /bin/sh -c on Unix.
func ShellArgv(command string) []string { return []string{"/bin/sh", "-c", command} }
