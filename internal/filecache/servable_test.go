package filecache

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/stsresult"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

// answering is an inner provider returning one shaped answer, counted.
type answering struct {
	clk   *fakeclock.Clock
	calls atomic.Int64
	life  time.Duration
	arn   string
}

func (p *answering) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

func (p *answering) RetrieveResult(context.Context) (stsresult.Result, error) {
	p.calls.Add(1)
	return stsresult.Result{Credentials: aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake", SessionToken: "fake",
		CanExpire: true, Expires: p.clk.Now().Add(p.life)}, AssumedRoleARN: p.arn}, nil
}

// TestTheCacheKeepsOnlyWhatMayBeServed: an answer the output validator
// refuses, or one inside the Cache's 15 s expiry window, or one further
// away than any AWS session, is never written: the next run asks again
// instead of failing (or being refused) until the entry expires.
func TestTheCacheKeepsOnlyWhatMayBeServed(t *testing.T) {
	tests := []struct {
		name    string
		life    time.Duration
		arn     string
		wantErr string
	}{
		{"an assumed-role ARN whose account is not 12 digits", time.Hour, "arn:aws:sts::12345:assumed-role/R/s", "AccountId is 5 characters"},
		{"an assumed-role user that is not an ARN", time.Hour, "not-an-arn", `the AssumedRoleUser Arn "not-an-arn" is not an ARN`},
		{"an assumed-role ARN with no account", time.Hour, "arn:aws:sts:::assumed-role/R/s", "is not an ARN with an account"},
		{"3 seconds left (a helper's short expiry)", 3 * time.Second, "", ""},
		{"14 seconds left", 14 * time.Second, "", ""},
		{"an Expiration 40 hours away", 40 * time.Hour, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			inner := &answering{clk: clk, life: tt.life, arn: tt.arn}
			in := KeyInputs{Kind: "assume-role", RoleARN: "arn:aws:iam::123456789012:role/R"}
			store := &Store{Dir: t.TempDir()}
			p := &Provider{Backend: store, Key: in.Key(), Inputs: in, Inner: inner, Freshness: MinTTL(15 * time.Minute), Clock: clk}
			for range 2 {
				_, err := p.Retrieve(context.Background())
				if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				if tt.wantErr == "" && err != nil {
					t.Fatal(err)
				}
			}
			if n := inner.calls.Load(); n != 2 {
				t.Errorf("inner called %d times in two runs; want 2 (nothing cached)", n)
			}
			if _, err := os.Stat(store.Path(in.Key())); err == nil {
				t.Error("the answer was written to the cache")
			}
		})
	}
}

// TestAStoredEntryTheValidatorRefusesIsAMissWithAWarning: a hand-edited or
// older entry is judged like a fresh answer, on everything it hands out.
func TestAStoredEntryTheValidatorRefusesIsAMissWithAWarning(t *testing.T) {
	edits := map[string]func(e *Entry){
		"an assumed-role ARN whose account is not 12 digits": func(e *Entry) { e.AssumedRoleUser = &AssumedRoleUser{Arn: "arn:aws:sts::1234:assumed-role/R/s"} },
		"an assumed-role user that is not an ARN":            func(e *Entry) { e.AssumedRoleUser = &AssumedRoleUser{Arn: "garbage"} },
		"a secret with a quote":                              func(e *Entry) { e.Credentials.SecretAccessKey = `fake'secret` },
		"an Expiration 40 hours away":                        func(e *Entry) { e.Credentials.Expiration = t0.Add(40 * time.Hour) },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			in := KeyInputs{Kind: "assume-role", RoleARN: "arn:aws:iam::123456789012:role/R"}
			var warnings []string
			store := &Store{Dir: t.TempDir(), Warn: func(m string) { warnings = append(warnings, m) }}
			e := fakeEntry("ASIAFAKEEDITED", t0.Add(time.Hour))
			e.Meta.Key = in.Key()
			edit(e)
			b, _ := json.Marshal(e)
			must(t, store.ensureDir())
			must(t, os.WriteFile(store.Path(in.Key()), b, 0o600))
			inner := &answering{clk: clk, life: time.Hour, arn: "arn:aws:sts::123456789012:assumed-role/R/s"}
			p := &Provider{Backend: store, Key: in.Key(), Inputs: in, Inner: inner, Freshness: MinTTL(15 * time.Minute), Clock: clk,
				Warn: func(m string) { warnings = append(warnings, m) }}
			c, err := p.Retrieve(context.Background())
			if err != nil || c.AccessKeyID == "ASIAFAKEEDITED" || inner.calls.Load() != 1 {
				t.Errorf("got %q (%v) after %d calls; want the entry ignored and a fresh answer", c.AccessKeyID, err, inner.calls.Load())
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "ignoring") {
				t.Errorf("warnings %q, want one", warnings)
			}
		})
	}
}

// TestTheFileCacheRefreshesWhatTheCacheWouldRefuse: half of a 20-second
// session is 10 s, inside the Cache's 15 s expiry window: refreshed, not
// served from disk.
func TestTheFileCacheRefreshesWhatTheCacheWouldRefuse(t *testing.T) {
	clk := fakeclock.New(t0)
	inner := &answering{clk: clk, life: 30 * time.Second, arn: "arn:aws:sts::123456789012:assumed-role/R/s"}
	in := KeyInputs{Kind: "web-identity"}
	p := &Provider{Backend: &Store{Dir: t.TempDir()}, Key: in.Key(), Inputs: in, Inner: inner, Freshness: MinTTL(15 * time.Minute), Clock: clk}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(16 * time.Second) // 14 s left: more than half of 30 s is gone, and inside 15 s
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Second) // a new 30 s session, 28 s left: reused
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := inner.calls.Load(); n != 2 {
		t.Errorf("inner called %d times; want 2 (the 14-second entry refreshed, the next reused)", n)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// unsearchable is a cache directory the user may not lstat: every read
// fails with a permission error (root cannot be refused by chmod, so the
// backend says it).
type unsearchable struct{}

func (unsearchable) Read(string) (*Entry, error) {
	return nil, &os.PathError{Op: "lstat", Path: "/home/other/.cache/tempcreds", Err: os.ErrPermission}
}
func (unsearchable) Write(string, *Entry) error { return os.ErrPermission }
func (unsearchable) Lock(context.Context, string) (func(), error) {
	return nil, os.ErrPermission
}

// TestAnUnsearchableCacheDirectoryIsTheWarningNotAFailure: as a read-only
// one, a directory that cannot be searched gives the credentials uncached
// and one warning.
func TestAnUnsearchableCacheDirectoryIsTheWarningNotAFailure(t *testing.T) {
	clk := fakeclock.New(t0)
	inner := &answering{clk: clk, life: time.Hour, arn: "arn:aws:sts::123456789012:assumed-role/R/s"}
	var warnings []string
	p := &Provider{Backend: unsearchable{}, Key: "k", Inner: inner, Freshness: MinTTL(15 * time.Minute), Clock: clk,
		Warn: func(m string) { warnings = append(warnings, m) }}
	for range 2 {
		if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "ASIAFAKE" {
			t.Fatalf("got %q, %v; want the credentials, uncached", c.AccessKeyID, err)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "cannot be read") {
		t.Errorf("warnings %q; want one", warnings)
	}
}
