//go:build windows

package childproc

// ShellArgv runs command line the way the AWS CLI and SDKs run a
// credential_process on Windows: cmd.exe /C.
func ShellArgv(command string) []string { return []string{"cmd.exe", "/C", command} }
