// Package netfail tells a failure to reach STS (offline, a name that does
// not resolve, a refused connection) in a person's words: the endpoint
// tried and why, instead of the SDK's chain of wrapped messages. The
// library's errors print it; the command line adds its own flags to it.
package netfail

import (
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/tempcreds/tempcreds/internal/redact"
)

// Unreachable describes err when it is a failure to connect to the
// endpoint (a dial that failed: no name, no route, a refused connection),
// with any user information of the URL redacted; false for anything else
// (a reset after connecting, an HTTP status, an API error).
func Unreachable(err error) (string, bool) {
	var ue *url.Error
	var oe *net.OpError
	if !errors.As(err, &ue) || !errors.As(err, &oe) || oe.Op != "dial" {
		return "", false
	}
	why := "the connection failed"
	if oe.Err != nil {
		why = oe.Err.Error()
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		why = fmt.Sprintf("the name %s does not resolve (offline, or a wrong region or endpoint?)", de.Name)
	}
	return fmt.Sprintf("cannot reach STS at %s: %s", redact.URL(ue.URL), why), true
}
