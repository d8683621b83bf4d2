package chain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/tempcreds/tempcreds"
)

// Names of settings that are not Request fields, used in errors' Field.
const (
	fieldKeys      = "Keys"       // AWS_STS_ACCESS_KEY / AWS_STS_ACCESS_SECRET
	fieldCacheMode = "Cache.Mode" // AWS_STS_FILE_MODE
)

// bad returns a *tempcreds.ConfigError about field, given at origin ("" for
// the Request), with the problem in words ({{Field}} and {{value}} are
// filled in by the error's Message).
func bad(field, origin, value, problem string, args ...any) *tempcreds.ConfigError {
	return &tempcreds.ConfigError{Field: field, Origin: origin, Value: value, Problem: fmt.Sprintf(problem, args...)}
}

// originOf is "" when the request gave the value, else the variable.
func originOf(fromRequest bool, variable string) string {
	if fromRequest {
		return ""
	}
	return variable
}

// maxDurationSeconds bounds every duration (a year): far above any STS
// limit, far below an overflow.
const maxDurationSeconds = 366 * 24 * 3600

// ParseDuration reads seconds ("3600") or a Go duration ("1h", "90m"), as
// AWS_ROLE_DURATION_SECONDS and the command line's duration flags accept
// them. Its error says what is wrong without naming the setting ("must be
// positive"): the caller names it.
func ParseDuration(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("must be positive")
		}
		if n > maxDurationSeconds {
			return 0, fmt.Errorf("is more than a year")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("is not a duration: use seconds (3600) or a duration (1h, 90m)")
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	if d > maxDurationSeconds*time.Second {
		return 0, fmt.Errorf("is more than a year")
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("is not a whole number of seconds")
	}
	return d, nil
}

// checkSession refuses a role session name, MFA serial or external ID STS
// would refuse, naming the field and where it was given.
func checkSession(sessionName, sessionOrigin, serial, serialOrigin, externalID, externalOrigin string) error {
	if sessionName != "" && !tempcreds.ValidSessionName(sessionName) {
		return bad("RoleSessionName", sessionOrigin, sessionName, "{{RoleSessionName}} {{value}} must be 2 to 64 characters of letters, digits and +=,.@_-")
	}
	if serial != "" && (len(serial) < 9 || len(serial) > 256) {
		return bad("MFASerial", serialOrigin, serial, "{{MFASerial}} {{value}} must be 9 to 256 characters (an MFA device ARN or hardware serial)")
	}
	if n := len(externalID); n > 0 && (n < 2 || n > 1224) {
		e := bad("ExternalID", externalOrigin, "", "{{ExternalID}} must be 2 to 1224 characters, got %d", n)
		e.Limit = "2 to 1224 characters"
		return e
	}
	return nil
}

// checkTags refuses session tags STS would refuse: more than 50, a key of
// 1 to 128 characters or starting with aws:, a value over 256.
func checkTags(field, origin string, tags map[string]string) error {
	if len(tags) > 50 {
		e := bad(field, origin, "", "{{%s}}: %d session tags, STS allows 50", field, len(tags))
		e.Limit = "50 tags"
		return e
	}
	for k, v := range tags {
		switch {
		case len(k) < 1 || len(k) > 128:
			return bad(field, origin, k, "{{%s}}: the key {{value}} must be 1 to 128 characters", field)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return bad(field, origin, k, "{{%s}}: the key {{value}} starts with aws:, which AWS reserves", field)
		case len(v) > 256:
			return bad(field, origin, k, "{{%s}}: the value of {{value}} is longer than 256 characters", field)
		case strings.ContainsFunc(k+v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return bad(field, origin, k, "{{%s}}: the tag {{value}} holds a control character", field)
		}
	}
	return nil
}

// checkARN refuses anything but an IAM role ARN.
func checkARN(field, origin, v string) error {
	if len(v) > 2048 {
		e := bad(field, origin, "", "{{%s}} is %d characters, longer than a role ARN may be (2048)", field, len(v))
		e.Limit = "2048 characters"
		return e
	}
	a, err := arn.Parse(v)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || len(a.AccountID) != 12 ||
		strings.ContainsFunc(a.Resource, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return bad(field, origin, v, "{{%s}} {{value}} is not a role ARN like arn:aws:iam::123456789012:role/NAME", field)
	}
	return nil
}
