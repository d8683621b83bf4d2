// Package bounded is the one way tempcreds reads input from outside: every
// read has a size cap, and a file must be a regular file (a FIFO, a device
// such as /dev/zero, or a directory is refused at once instead of hanging
// or exhausting memory).
package bounded

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Caps for the inputs tempcreds reads.
const (
	Token      = 64 << 10 // a web identity token (STS accepts 20,000 chars), an MFA code, an endpoint token
	Policy     = 64 << 10 // a session policy file (STS accepts 2,048 chars packed)
	ConfigFile = 4 << 20  // ~/.aws/config and ~/.aws/credentials
)

// TooLargeError is returned when input exceeds its cap.
type TooLargeError struct {
	What string
	Max  int64
}

// Error names the input and the cap.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.What, e.Max)
}

// ReadAll reads at most max bytes of r, and fails if there are more.
func ReadAll(r io.Reader, max int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &TooLargeError{What: what, Max: max}
	}
	return b, nil
}

// ReadFile reads a regular file of at most max bytes. It opens without
// blocking (a FIFO with no writer would hang an ordinary open) and refuses
// anything but a regular file.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("not a regular file (a FIFO, a device or a directory)")}
	}
	return ReadAll(f, max, path)
}

// Writer keeps at most Max bytes and reports whether more were written: for
// a child process's output.
type Writer struct {
	Max      int
	buf      bytes.Buffer
	overflow bool
}

// Write keeps what fits and drops the rest (never failing, so the child is
// not killed by a broken pipe).
func (w *Writer) Write(p []byte) (int, error) {
	if room := w.Max - w.buf.Len(); room < len(p) {
		w.overflow = true
		if room > 0 {
			w.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return w.buf.Write(p)
}

// Bytes returns what was kept.
func (w *Writer) Bytes() []byte { return w.buf.Bytes() }

// Overflowed reports whether more than Max bytes were written.
func (w *Writer) Overflowed() bool { return w.overflow }
