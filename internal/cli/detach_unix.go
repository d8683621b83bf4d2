//go:build unix

package cli

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"

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

// checkOutputOpen refuses a standard output that goes nowhere before the
// server starts: closed (`>&-`: Go's runtime puts /dev/null on a closed
// standard descriptor) or /dev/null itself. The settings would be lost.
func checkOutputOpen(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return errors.New("it is closed or " + os.DevNull)
	}
	return nil
}

// waitDelivered waits, for a pipe, until its reader has read everything
// written or has gone: a reader that left unread bytes behind (`| head -c
// 1`) lost the settings, and nobody could reach the server. Bounded: a
// reader still there after 10 s is taken to read them later.
func waitDelivered(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return nil // a file or a terminal: written is delivered
	}
	fd := int(f.Fd())
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n := unreadBytes(fd)
		if n == 0 {
			return nil
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if _, err := unix.Poll(fds, 0); err == nil && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return errors.New("the reader of standard output went away before reading the settings")
		}
		if n < 0 {
			return nil // unknown here: a reader that is still there
		}
	}
	return nil
}
