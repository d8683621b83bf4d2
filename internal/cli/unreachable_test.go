package cli

import (
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/tempcreds/tempcreds"
)

// TestUnreachableSTSNamesTheEndpointAndTheFix: offline (a name that does
// not resolve) and a refused connection are told with the endpoint tried
// and how to set another; other errors keep their own text.
func TestUnreachableSTSNamesTheEndpointAndTheFix(t *testing.T) {
	dial := func(inner error) error {
		return &tempcreds.Error{Op: "AssumeRole", RoleARN: roleA, Err: &url.Error{Op: "Post", URL: "https://user:fake-pass@sts.example.invalid/",
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: inner}}}
	}
	tests := []struct {
		name string
		err  error
		want string
		ok   bool
	}{
		{"offline", dial(&net.DNSError{Name: "sts.example.invalid", Err: "no such host", IsNotFound: true}),
			"AssumeRole " + roleA + ": cannot reach STS at https://[REDACTED]@sts.example.invalid/: the name sts.example.invalid does not resolve (offline, or a wrong region or endpoint?); " +
				"set the endpoint with --endpoint-url or AWS_ENDPOINT_URL_STS, or the region with --region or AWS_REGION", true},
		{"refused", dial(errors.New("connect: connection refused")),
			"AssumeRole " + roleA + ": cannot reach STS at https://[REDACTED]@sts.example.invalid/: connect: connection refused; " +
				"set the endpoint with --endpoint-url or AWS_ENDPOINT_URL_STS, or the region with --region or AWS_REGION", true},
		{"not a network error", &tempcreds.Error{Op: "AssumeRole", Err: errors.New("AccessDenied")}, "", false},
		{"a read, not a dial", &url.Error{Op: "Post", URL: "https://x/", Err: &net.OpError{Op: "read", Err: errors.New("reset")}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := unreachableMessage(tt.err)
			if ok != tt.ok || got != tt.want {
				t.Errorf("unreachableMessage = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestAFailedWriteIsExit1WhenTheFileSystemFailed: a full, read-only or
// broken file system is a failure to deliver (exit 1); a path that cannot
// be written is a bad flag (exit 2).
func TestAFailedWriteIsExit1WhenTheFileSystemFailed(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{&os.PathError{Op: "write", Path: "/mnt/full/x", Err: syscall.ENOSPC}, ExitCredentials},
		{&os.PathError{Op: "open", Path: "/ro/x", Err: syscall.EROFS}, ExitCredentials},
		{&os.PathError{Op: "write", Path: "/x", Err: syscall.EIO}, ExitCredentials},
		{&os.PathError{Op: "open", Path: "/nope/x", Err: syscall.ENOENT}, ExitUsage},
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, ExitUsage},
	}
	for _, tt := range tests {
		err := writeError("--out", "/x", tt.err)
		if code := exitCode(err); code != tt.code || !strings.Contains(err.Error(), "--out /x") {
			t.Errorf("%v: exit %d (%v); want %d and the flag named", tt.err, code, err, tt.code)
		}
	}
}
