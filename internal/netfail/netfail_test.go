package netfail

import (
	"errors"
	"net"
	"net/url"
	"testing"
)

func TestUnreachable(t *testing.T) {
	dial := func(inner error) error {
		return &url.Error{Op: "Post", URL: "https://user:fake-pass@sts.example.invalid/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: inner}}
	}
	tests := []struct {
		name string
		err  error
		want string
		ok   bool
	}{
		{"offline", dial(&net.DNSError{Name: "sts.example.invalid", Err: "no such host", IsNotFound: true}),
			"cannot reach STS at https://[REDACTED]@sts.example.invalid/: the name sts.example.invalid does not resolve (offline, or a wrong region or endpoint?)", true},
		{"refused", dial(errors.New("connect: connection refused")),
			"cannot reach STS at https://[REDACTED]@sts.example.invalid/: connect: connection refused", true},
		{"no cause", dial(nil), "cannot reach STS at https://[REDACTED]@sts.example.invalid/: the connection failed", true},
		{"a read, not a dial", &url.Error{Op: "Post", URL: "https://x/", Err: &net.OpError{Op: "read", Err: errors.New("reset")}}, "", false},
		{"not a network error", errors.New("AccessDenied"), "", false},
		{"a dial without a URL", &net.OpError{Op: "dial", Err: errors.New("refused")}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Unreachable(tt.err)
			if ok != tt.ok || got != tt.want {
				t.Errorf("Unreachable = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
