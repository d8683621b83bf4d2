//go:build unix

package cli

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// newSession starts cmd in a session of its own: no controlling terminal,
// so closing the terminal does not send it SIGHUP.
func newSession(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}

// redirectStdio points file descriptors 1 and 2 at f.
func redirectStdio(f *os.File) error {
	if err := unix.Dup2(int(f.Fd()), 1); err != nil {
		return err
	}
	return unix.Dup2(int(f.Fd()), 2)
}

func readyForDetach() bool { return true }

// openLog opens where the detached child logs (logFile, appended, 0600;
// else /dev/null). It is opened before the settings are printed, so a bad
// --log-file fails before `serve --detach` reports success.
func openLog(logFile string) (*os.File, error) {
	if logFile == "" {
		return os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	}
	return os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_NOFOLLOW, 0o600)
}
