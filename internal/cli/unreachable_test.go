package cli

import (
	"errors"
	"net"
	"net/url"
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
			"tempcreds: AssumeRole " + roleA + ": cannot reach STS at https://[REDACTED]@sts.example.invalid/: the name sts.example.invalid does not resolve (offline, or a wrong region or endpoint?); " +
				"set the endpoint with --endpoint-url or AWS_ENDPOINT_URL_STS, or the region with --region or AWS_REGION", true},
		{"refused", dial(errors.New("connect: connection refused")),
			"tempcreds: AssumeRole " + roleA + ": cannot reach STS at https://[REDACTED]@sts.example.invalid/: connect: connection refused; " +
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
