package credprocess

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// printing is a command printing s (single-quoted for sh).
func printing(s string) string { return "printf '%s' '" + s + "'" }

func TestRetrieve(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the commands are POSIX sh scripts: this runs on Linux and macOS (CI runs it on Linux); on Windows the runner is vetted only")
	}
	const keys = `"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"c2VjcmV0","SessionToken":"dG9rZW4"`
	for _, tc := range []struct {
		name, command string
		ttl           time.Duration
		wantExpires   time.Time // zero: does not expire
		wantErr       string
	}{
		{name: "with an Expiration", command: printing(`{` + keys + `,"Expiration":"2030-01-02T04:04:05Z"}`), wantExpires: t0.Add(time.Hour)},
		{name: "without one, no TTL", command: printing(`{` + keys + `}`)},
		{name: "without one, a TTL", command: printing(`{` + keys + `}`), ttl: 10 * time.Minute, wantExpires: t0.Add(10 * time.Minute)},
		{name: "an Expiration beyond MaxLife is not kept", command: printing(`{` + keys + `,"Expiration":"2030-01-04T03:04:06Z"}`)},
		{name: "expired", command: printing(`{` + keys + `,"Expiration":"2030-01-02T03:04:05Z"}`), wantErr: "printed credentials that expired at 2030-01-02T03:04:05Z"},
		{name: "a bad Expiration", command: printing(`{` + keys + `,"Expiration":"tomorrow"}`), wantErr: "not an RFC 3339 time"},
		{name: "not JSON, not echoed", command: printing(`SECRET`), wantErr: "not valid credentials JSON (its output is not shown"},
		{name: "no Version", command: printing(`{"AccessKeyId":"A","SecretAccessKey":"B"}`), wantErr: "without Version 1"},
		{name: "refused characters", command: printing(`{"Version":1,"AccessKeyId":"A;rm","SecretAccessKey":"B"}`), wantErr: "printed credentials tempcreds refuses"},
		{name: "fails", command: "exit 2", wantErr: "the source process failed"},
		{name: "too much output", command: "yes | head -c 70000", wantErr: "printed more than 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Source{Command: tc.command, Stderr: io.Discard, TTL: tc.ttl, Clock: fakeclock.New(t0)}
			c, err := s.Retrieve(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "SECRET") {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.AccessKeyID != "ASIAEXAMPLE" || c.CanExpire != !tc.wantExpires.IsZero() || !c.Expires.Equal(tc.wantExpires) {
				t.Fatalf("got %+v, %v; want expiry %v", c, err, tc.wantExpires)
			}
		})
	}
}

func TestErrorsNameTheProfile(t *testing.T) {
	_, err := Source{Command: "exit 1", Profile: "dev", Stderr: io.Discard, Clock: fakeclock.New(t0)}.Retrieve(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "the credential_process of profile dev failed") {
		t.Fatal(err)
	}
}

func TestResolving(t *testing.T) {
	for _, tc := range []struct {
		list, profile string
		want          bool
	}{
		{"", "dev", false},
		{"dev", "dev", true},
		{"prod\x1fdev", "dev", true},
		{"prod\x1fdevx", "dev", false},
		{"dev", "", false},
		{addResolving(addResolving("", "a"), "b"), "b", true},
	} {
		if got := Resolving(tc.list, tc.profile); got != tc.want {
			t.Errorf("Resolving(%q, %q) = %v", tc.list, tc.profile, got)
		}
	}
}

func TestTheGuardReachesTheProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the commands are POSIX sh scripts: this runs on Linux and macOS (CI runs it on Linux); on Windows the runner is vetted only")
	}
	t.Setenv(ResolvingEnv, "outer")
	s := Source{Command: `case "$TEMPCREDS_RESOLVING" in "outer` + "\x1f" + `dev") exit 0;; *) exit 9;; esac`, Guard: "dev", Stderr: io.Discard, Clock: fakeclock.New(t0)}
	_, err := s.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not valid credentials JSON") {
		t.Fatalf("the guard did not reach the process: %v", err)
	}
}
