package filecache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/stsresult"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// TestMain doubles as the writer process of the crash test.
func TestMain(m *testing.M) {
	if dir := os.Getenv("FILECACHE_TEST_WRITER"); dir != "" {
		writerLoop(dir)
		return
	}
	os.Exit(m.Run())
}

// writerLoop writes entries with growing sequence numbers until killed.
func writerLoop(dir string) {
	s := &Store{Dir: dir}
	for i := 0; i < 1_000_000; i++ { // bounded; the test kills it long before
		e := fakeEntry(fmt.Sprintf("ASIAFAKE%08d", i), t0.Add(time.Hour))
		e.Meta.Key = "0123456789abcdef0123"
		if err := s.Write("0123456789abcdef0123", e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if i == 0 {
			fmt.Println("ready")
		}
	}
}

func fakeEntry(akid string, exp time.Time) *Entry {
	return &Entry{
		Credentials: &Credentials{AccessKeyId: akid, SecretAccessKey: "fake-secret", SessionToken: "fake-token" + strings.Repeat("x", 500), Expiration: exp},
		Meta:        &Meta{Version: FormatVersion, Kind: "assume-role", CreatedAt: exp.Add(-time.Hour)},
	}
}

type countingProvider struct {
	clk   *fakeclock.Clock
	calls atomic.Int64
	life  time.Duration
}

func (p *countingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

func (p *countingProvider) RetrieveResult(context.Context) (stsresult.Result, error) {
	n := p.calls.Add(1)
	time.Sleep(2 * time.Millisecond) // let other callers pile up on the lock
	return stsresult.Result{
		Credentials: aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", n), SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: p.clk.Now().Add(p.life).UTC().Truncate(time.Second)},
		AssumedRoleARN: "arn:aws:sts::123456789012:assumed-role/A/s", AssumedRoleID: "AROAFAKE:s",
	}, nil
}

func TestProviderSharesOneCallAndReusesTheEntry(t *testing.T) {
	clk := fakeclock.New(t0)
	dir := filepath.Join(t.TempDir(), "cache")
	inner := &countingProvider{clk: clk, life: time.Hour}
	in := KeyInputs{Kind: "assume-role", RoleARN: "arn:aws:iam::123456789012:role/A", SourceIdentity: "AKIAFAKE1"}
	newProvider := func() *Provider { // one per "process": its own Store and lock
		return &Provider{Backend: &Store{Dir: dir}, Key: in.Key(), Inputs: in, Inner: inner, Freshness: MinTTL(15 * time.Minute), Clock: clk}
	}
	var wg sync.WaitGroup
	keys := make([]string, 50)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := newProvider().Retrieve(context.Background())
			if err != nil {
				t.Error(err)
			}
			keys[i] = c.AccessKeyID
		}()
	}
	wg.Wait()
	if inner.calls.Load() != 1 {
		t.Errorf("inner calls = %d, want 1", inner.calls.Load())
	}
	for _, k := range keys {
		if k != keys[0] {
			t.Fatalf("callers got different credentials: %v", keys)
		}
	}
	st, err := os.Stat(filepath.Join(dir, in.Key()+".json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("entry mode: %v, %v", st.Mode(), err)
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", dst.Mode().Perm())
	}

	steps := []struct {
		advance  time.Duration
		wantCall bool
	}{
		{30 * time.Minute, false}, // 30 min left: reused
		{14 * time.Minute, false}, // 16 min left
		{2 * time.Minute, true},   // 14 min left: under the 15-minute min TTL
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		before := inner.calls.Load()
		if _, err := newProvider().Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
		if called := inner.calls.Load() > before; called != s.wantCall {
			t.Errorf("after +%s: inner called = %v, want %v", s.advance, called, s.wantCall)
		}
	}
}

func TestMinTTLIsCappedToHalfAShortSession(t *testing.T) {
	clk := fakeclock.New(t0)
	inner := &countingProvider{clk: clk, life: 20 * time.Minute}
	in := KeyInputs{Kind: "web-identity"}
	p := &Provider{Backend: &Store{Dir: t.TempDir()}, Key: in.Key(), Inputs: in, Inner: inner, Freshness: MinTTL(15 * time.Minute), Clock: clk}
	_, _ = p.Retrieve(context.Background())
	clk.Advance(9 * time.Minute) // 11 min left of 20: more than half
	_, _ = p.Retrieve(context.Background())
	if inner.calls.Load() != 1 {
		t.Errorf("calls = %d: a 20-minute session must be reused while half of it is left", inner.calls.Load())
	}
	clk.Advance(2 * time.Minute)
	_, _ = p.Retrieve(context.Background())
	if inner.calls.Load() != 2 {
		t.Errorf("calls = %d: under half its lifetime left, it must refresh", inner.calls.Load())
	}
}

func TestKeysCoverEveryInput(t *testing.T) {
	base := KeyInputs{Kind: "assume-role", SourceIdentity: "AKIAFAKE1", RoleARN: "arn:aws:iam::123456789012:role/A", SessionName: "s"}
	variants := map[string]func(*KeyInputs){
		"kind":         func(k *KeyInputs) { k.Kind = "session-token" },
		"source":       func(k *KeyInputs) { k.SourceIdentity = "AKIAFAKE2" },
		"role":         func(k *KeyInputs) { k.RoleARN = "arn:aws:iam::123456789012:role/B" },
		"session name": func(k *KeyInputs) { k.SessionName = "t" },
		"duration":     func(k *KeyInputs) { k.DurationSeconds = 900 },
		"external id":  func(k *KeyInputs) { k.ExternalID = "xx" },
		"policy":       func(k *KeyInputs) { k.Policy = "{}" },
		"policy arns":  func(k *KeyInputs) { k.PolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"} },
		"tags":         func(k *KeyInputs) { k.Tags = map[string]string{"team": "a"} },
		"transitive":   func(k *KeyInputs) { k.TransitiveTagKeys = []string{"team"} },
		"source id":    func(k *KeyInputs) { k.SourceIdentityTag = "alice" },
		"mfa":          func(k *KeyInputs) { k.MFASerial = "arn:aws:iam::123456789012:mfa/alice" },
		"web identity": func(k *KeyInputs) { k.WebIdentity = "/var/run/token" },
		"region":       func(k *KeyInputs) { k.Region = "eu-west-1" },
		"endpoint":     func(k *KeyInputs) { k.Endpoint = "http://127.0.0.1:9000" },
	}
	seen := map[string]string{base.Key(): "base"}
	for name, change := range variants {
		k := base
		change(&k)
		key := k.Key()
		if other, dup := seen[key]; dup {
			t.Errorf("changing %s gives the key of %s", name, other)
		}
		seen[key] = name
		if !ValidKey(key) {
			t.Errorf("key %q is not valid", key)
		}
	}
	if (KeyInputs{Tags: map[string]string{"a": "1", "b": "2"}}).Key() != (KeyInputs{Tags: map[string]string{"b": "2", "a": "1"}}).Key() {
		t.Error("the same tags in another order gave another key")
	}
}

func TestUnsafeAndCorruptEntries(t *testing.T) {
	key := "0123456789abcdef0123"
	write := func(t *testing.T, dir, body string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, key+".json"), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, key+".json"), mode); err != nil {
			t.Fatal(err)
		}
	}
	good, _ := json.Marshal(fakeEntry("ASIAFAKE1", t0.Add(time.Hour)))
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string)
		wantErr  string // "" means a miss without error
		wantWarn bool
	}{
		{"corrupt JSON is a miss with a warning", func(t *testing.T, dir string) { write(t, dir, `{"Credentials":`, 0o600) }, "", true},
		{"an entry without a session token is a miss", func(t *testing.T, dir string) {
			write(t, dir, `{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"B","Expiration":"2026-11-22T10:00:00Z"}}`, 0o600)
		}, "", true},
		{"a garbage expiration is a miss", func(t *testing.T, dir string) {
			write(t, dir, `{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"B","SessionToken":"C","Expiration":"soon"}}`, 0o600)
		}, "", true},
		{"a group-readable file is refused", func(t *testing.T, dir string) { write(t, dir, string(good), 0o640) }, "chmod 600", false},
		{"a symlinked file is refused", func(t *testing.T, dir string) {
			target := filepath.Join(t.TempDir(), "elsewhere.json")
			_ = os.WriteFile(target, good, 0o600)
			if err := os.Symlink(target, filepath.Join(dir, key+".json")); err != nil {
				t.Fatal(err)
			}
		}, "is a symlink", false},
		{"a world-writable directory is refused", func(t *testing.T, dir string) {
			write(t, dir, string(good), 0o600)
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}, "chmod 700", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			var warned bool
			e, err := (&Store{Dir: dir, Warn: func(string) { warned = true }}).Read(key)
			if tc.wantErr == "" {
				if err != nil || e != nil {
					t.Errorf("got %v, %v; want a miss", e, err)
				}
			} else {
				var ie *InsecureError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want an InsecureError saying %q", err, tc.wantErr)
				}
			}
			if warned != tc.wantWarn {
				t.Errorf("warned = %v, want %v", warned, tc.wantWarn)
			}
		})
	}
}

func TestHelperFilesAreAcceptedOnlyForTheirRole(t *testing.T) {
	clk := fakeclock.New(t0)
	dir := t.TempDir()
	path := filepath.Join(dir, ".aws-sts.json")
	// What aws-sts-helper writes: JSON.stringify of the AssumeRole response.
	helper := `{"ResponseMetadata":{"RequestId":"fake"},"Credentials":{"AccessKeyId":"ASIAFAKEHELPER","SecretAccessKey":"fake","SessionToken":"fake","Expiration":"2026-11-22T20:00:00.000Z"},"AssumedRoleUser":{"AssumedRoleId":"AROAFAKE:colby","Arn":"arn:aws:sts::123456789012:assumed-role/ProjectsS3Development/colby"}}`
	tests := []struct {
		role     string
		advance  time.Duration
		wantHelp bool
	}{
		{"arn:aws:iam::123456789012:role/ProjectsS3Development", 0, true},
		{"arn:aws:iam::123456789012:role/path/ProjectsS3Development", 0, true},
		{"arn:aws:iam::123456789012:role/Other", 0, false},
		{"arn:aws:iam::999999999999:role/ProjectsS3Development", 0, false},
		{"arn:aws:iam::123456789012:role/ProjectsS3Development", 11 * time.Hour, false}, // expired
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s after %s", tc.role, tc.advance), func(t *testing.T) {
			if err := os.WriteFile(path, []byte(helper), 0o600); err != nil {
				t.Fatal(err)
			}
			clk.Set(t0.Add(tc.advance))
			in := KeyInputs{Kind: "assume-role", RoleARN: tc.role}
			p := &Provider{Backend: &SingleFile{Path: path}, Key: in.Key(), Inputs: in, Freshness: MinTTL(time.Minute), Clock: clk,
				Inner: &countingProvider{clk: clk, life: time.Hour}}
			c, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := c.AccessKeyID == "ASIAFAKEHELPER"; got != tc.wantHelp {
				t.Errorf("used the helper's file = %v, want %v", got, tc.wantHelp)
			}
		})
	}

	t.Run("a mode wider than owner-only is refused, written or read", func(t *testing.T) {
		p := filepath.Join(dir, "moded.json")
		for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o777} {
			s := &SingleFile{Path: p, Mode: mode}
			var ie *InsecureError
			if err := s.Write("", fakeEntry("ASIAFAKE1", t0.Add(time.Hour))); !errors.As(err, &ie) {
				t.Errorf("writing with mode %04o: %v, want an *InsecureError", mode, err)
			}
			if _, err := os.Stat(p); err == nil {
				t.Fatalf("mode %04o: a file was written", mode)
			}
		}
		s := &SingleFile{Path: p, Mode: 0o600}
		if err := s.Write("", fakeEntry("ASIAFAKE1", t0.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o640); err != nil {
			t.Fatal(err)
		}
		var ie *InsecureError
		if _, err := s.Read(""); !errors.As(err, &ie) {
			t.Errorf("reading a 0640 file: %v, want an *InsecureError (it is never trusted)", err)
		}
	})
}

// TestAnUnwritableCacheStillGivesCredentials: a read-only or unwritable
// cache directory is a warning (the credentials are returned, uncached),
// as a full disk is; an unsafe one is still refused.
func TestAnUnwritableCacheStillGivesCredentials(t *testing.T) {
	for _, cause := range []error{fs.ErrPermission, syscall.EROFS} {
		var warned []string
		p := &Provider{Backend: lockFailing{cause}, Key: "0123456789abcdef", Inputs: KeyInputs{Kind: "session-token"},
			Inner: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake", SessionToken: "fake", CanExpire: true, Expires: t0.Add(time.Hour)}, nil
			}), Warn: func(m string) { warned = append(warned, m) }}
		c, err := p.Retrieve(context.Background())
		if err != nil || c.AccessKeyID != "ASIAFAKE" {
			t.Errorf("%v: %v, %v; want the credentials", cause, c.AccessKeyID, err)
		}
		if len(warned) != 1 || !strings.Contains(warned[0], "not writable") {
			t.Errorf("%v: warnings %q, want one saying the cache is not writable", cause, warned)
		}
	}
	p := &Provider{Backend: lockFailing{&InsecureError{Path: "/x", Reason: "r", Fix: "f"}}, Key: "0123456789abcdef",
		Inner: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, nil })}
	var ie *InsecureError
	if _, err := p.Retrieve(context.Background()); !errors.As(err, &ie) {
		t.Errorf("an unsafe cache gave %v, want the *InsecureError", err)
	}
}

// lockFailing is a Backend whose lock cannot be created (a read-only or
// unwritable cache directory).
type lockFailing struct{ err error }

func (b lockFailing) Read(string) (*Entry, error) { return nil, nil }
func (b lockFailing) Write(string, *Entry) error  { return b.err }
func (b lockFailing) Lock(context.Context, string) (func(), error) {
	return nil, fmt.Errorf("tempcreds: creating cache directory /ro: %w", b.err)
}
