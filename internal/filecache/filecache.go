// Package filecache is tempcreds' persistent credentials cache: one JSON
// file per key in a 0700 directory, each 0600, in aws-sts-helper's format (the STS
// response) plus a metadata object of ours. Writers take a per-key flock,
// re-read after locking (another process may have refreshed), write a temp
// file in the same directory, fsync it, rename it over the entry and fsync
// the directory. Readers never follow symlinks, refuse files that another
// user owns or that others can read, and treat a corrupt entry as a miss.
package filecache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/gofrs/flock"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/credcheck"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// FormatVersion is the version of our metadata object.
const FormatVersion = 1

// Entry is one cache file: aws-sts-helper's STS response shape plus our metadata.
type Entry struct {
	Credentials     *Credentials     `json:"Credentials"`
	AssumedRoleUser *AssumedRoleUser `json:"AssumedRoleUser,omitempty"`
	Meta            *Meta            `json:"tempcreds,omitempty"`
}

// Credentials is the STS Credentials object.
type Credentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// AssumedRoleUser is the STS AssumedRoleUser object.
type AssumedRoleUser struct {
	AssumedRoleId string
	Arn           string
}

// Meta is what tempcreds records beside the STS response. It never holds a
// secret: Source describes the source identity by access key ID or profile.
type Meta struct {
	Version     int    `json:"version"`
	Key         string `json:"key"`
	Kind        string `json:"kind"` // session-token, assume-role, web-identity
	RoleARN     string `json:"roleArn,omitempty"`
	SessionName string `json:"sessionName,omitempty"`
	Source      string `json:"source,omitempty"`
	Region      string `json:"region,omitempty"`
	// Profile is the AWS config profile the entry was made for (every hop
	// of its chain records it), for listing and clearing by profile.
	Profile   string    `json:"profile,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Lifetime is the session's whole lifetime, if known (0 if not).
func (e *Entry) Lifetime() time.Duration {
	if e.Meta == nil || e.Meta.CreatedAt.IsZero() || e.Credentials == nil {
		return 0
	}
	return e.Credentials.Expiration.Sub(e.Meta.CreatedAt)
}

// complete reports whether the entry has usable credentials.
func (e *Entry) complete() bool {
	c := e.Credentials
	return c != nil && c.AccessKeyId != "" && c.SecretAccessKey != "" && c.SessionToken != "" && !c.Expiration.IsZero() &&
		c.Expiration.Year() < 2262 // Unix ns overflow: such an entry is corrupt, not eternal
}

// InsecureError is returned for a cache file or directory that another user
// owns, or that is wider than allowed, or that is a symlink.
type InsecureError struct {
	Path   string
	Reason string
	Fix    string
}

// Error names the file, what is wrong with it and the command that fixes it.
func (e *InsecureError) Error() string {
	return fmt.Sprintf("tempcreds: refusing cache %s: %s (fix: %s)", e.Path, e.Reason, e.Fix)
}

// Store is a directory of entries, one per key.
type Store struct {
	Dir string
	// Warn receives warnings (a corrupt entry treated as a miss). Optional.
	Warn func(msg string)
	// LockTimeout bounds waiting for another process's lock (default 2 min:
	// it may be waiting for an MFA code).
	LockTimeout time.Duration

	warned onceSet // a corrupt entry is reported once, however often read
}

// onceSet remembers messages already given, so each is given once.
type onceSet struct{ seen sync.Map }

// first reports whether msg is new (and records it).
func (o *onceSet) first(msg string) bool {
	_, loaded := o.seen.LoadOrStore(msg, true)
	return !loaded
}

// DefaultDir is $XDG_CACHE_HOME/tempcreds, else (Windows)
// %LOCALAPPDATA%\tempcreds, else $HOME/.cache/tempcreds (macOS included),
// read through getenv (os.Getenv if nil).
func DefaultDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if x := getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "tempcreds"), nil
	}
	if runtime.GOOS == "windows" {
		if l := getenv("LOCALAPPDATA"); l != "" && filepath.IsAbs(l) {
			return filepath.Join(l, "tempcreds"), nil
		}
	}
	home := getenv("HOME")
	if home == "" || !filepath.IsAbs(home) {
		return "", &tempcreds.ConfigError{Field: "Cache.Dir", Problem: "no cache directory: set XDG_CACHE_HOME or HOME, or {{Cache.Dir}}"}
	}
	return filepath.Join(home, ".cache", "tempcreds"), nil
}

// ValidKey reports whether key can name an entry (hex digits, 8 to 64).
func ValidKey(key string) bool {
	if len(key) < 8 || len(key) > 64 {
		return false
	}
	return strings.Trim(key, "0123456789abcdef") == ""
}

// Path returns the file of key.
func (s *Store) Path(key string) string { return filepath.Join(s.Dir, key+".json") }

// ensureDir creates the directory 0700 (owner-only) and checks an
// existing one.
func (s *Store) ensureDir() error {
	if _, err := os.Lstat(s.Dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(s.Dir, 0o700); err != nil {
			return fmt.Errorf("tempcreds: creating cache directory %s: %w", s.Dir, err)
		}
		if err := safefile.RestrictToOwner(s.Dir); err != nil {
			return fmt.Errorf("tempcreds: making cache directory %s owner-only: %w", s.Dir, err)
		}
	}
	return checkDir(s.Dir)
}

func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("tempcreds: cache directory %s: %w", dir, err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return &InsecureError{dir, "the directory is a symlink", "remove the symlink or choose a real directory as the cache directory"}
	}
	if !st.IsDir() {
		return &InsecureError{dir, "it is not a directory", "choose another cache directory"}
	}
	return checkDirAccess(dir, st)
}

// Read returns the entry of key; (nil, nil) when there is none or it is
// corrupt (with a warning); an *InsecureError for an unsafe file.
func (s *Store) Read(key string) (*Entry, error) {
	if err := checkDir(s.Dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	warn := s.Warn
	if warn != nil {
		warn = func(msg string) {
			if s.warned.first(msg) {
				s.Warn(msg)
			}
		}
	}
	return readEntry(s.Path(key), warn)
}

// readEntry opens path without following symlinks and decodes it.
func readEntry(path string, warn func(string)) (*Entry, error) {
	f, err := openNoFollow(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if isSymlinkRefusal(err) {
			return nil, &InsecureError{path, "the cache file is a symlink", "rm " + path}
		}
		if errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.EISDIR) {
			return nil, &InsecureError{path, "the cache file is not a regular file (a socket, a device or a directory)", "choose a cache file path that is a regular file or does not exist"}
		}
		return nil, fmt.Errorf("tempcreds: reading cache %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("tempcreds: reading cache %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, &InsecureError{path, "the cache file is not a regular file", "choose a cache file path that is a regular file or does not exist"}
	}
	if err := checkFileAccess(path, st); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("tempcreds: reading cache %s: %w", path, err)
	}
	e := decodeEntry(b)
	if e == nil && warn != nil {
		warn(fmt.Sprintf("tempcreds: ignoring corrupt cache entry %s (it will be replaced)", path))
	}
	return e, nil
}

// decodeEntry parses a cache file; nil if it is not a complete entry.
func decodeEntry(b []byte) *Entry {
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil || !e.complete() {
		return nil
	}
	// Values no AWS service returns (an edited file) are as good as corrupt:
	// a miss with a warning, never an error on every run until expiry.
	if checkEntry(&e) != nil {
		return nil
	}
	return &e
}

// checkEntry runs the one output validator over everything an entry hands
// out: its three values, its expiry, and the account ID of its
// assumed-role user's ARN (an ARN that does not parse is refused too).
func checkEntry(e *Entry) error {
	if u := e.AssumedRoleUser; u != nil && u.Arn != "" {
		if a, err := arn.Parse(u.Arn); err != nil || a.AccountID == "" {
			return &credcheck.Error{Reason: fmt.Sprintf("the AssumedRoleUser Arn %q is not an ARN with an account", oneLineText(u.Arn))}
		}
	}
	return credcheck.Check(e.credentials())
}

// oneLineText keeps a value printable on one line (at most 200 bytes).
func oneLineText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// credentials are the entry's credentials as they are handed out: the
// account ID from the assumed-role user's ARN included. The one output
// validator (credcheck) judges exactly these, on write and on read.
func (e *Entry) credentials() aws.Credentials {
	c := e.Credentials
	creds := aws.Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		CanExpire: true, Expires: c.Expiration, Source: "tempcreds.filecache"}
	if u := e.AssumedRoleUser; u != nil {
		if a, err := arn.Parse(u.Arn); err == nil {
			creds.AccountID = a.AccountID
		}
	}
	return creds
}

// Write replaces the entry of key atomically.
func (s *Store) Write(key string, e *Entry) error {
	if err := s.ensureDir(); err != nil {
		return err
	}
	// A writer killed mid-write leaves a temp file with full credentials.
	_, _ = safefile.SweepTemps(s.Dir, staleTemp)
	return writeAtomic(s.Path(key), 0o600, e)
}

// SweepTemps removes every temp file a writer left in the directory (all of
// them, whatever their age: for `cache clear`), and returns how many.
func (s *Store) SweepTemps() (int, error) {
	if err := checkDir(s.Dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	return safefile.SweepTemps(s.Dir, 0)
}

// writeAtomic writes e through the one safe writer (internal/safefile):
// temp file, fsync, rename, directory fsync; never through a symlink or
// over anything but a regular file; never wider than owner-only.
func writeAtomic(path string, mode fs.FileMode, e *Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := safefile.Write(path, b, mode); err != nil {
		var ue *safefile.UnsafeError
		if errors.As(err, &ue) {
			return &InsecureError{Path: ue.Path, Reason: ue.Reason, Fix: ue.Fix}
		}
		return fmt.Errorf("tempcreds: writing cache %s: %w", path, err)
	}
	return nil
}

// staleTemp is how old a temp file must be to be swept: a live writer
// holds one for milliseconds.
const staleTemp = time.Minute

// Lock takes the cross-process lock of key and returns its release.
func (s *Store) Lock(ctx context.Context, key string) (func(), error) {
	if err := s.ensureDir(); err != nil {
		return nil, err
	}
	return lockFile(ctx, filepath.Join(s.Dir, key+".lock"), s.LockTimeout)
}

func lockFile(ctx context.Context, path string, timeout time.Duration) (func(), error) {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Never follow a symlink at the lock's path, and lock only a regular file.
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return nil, &InsecureError{path, "the lock file is a symlink or not a regular file", "rm " + path}
	}
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDONLY|noFollowFlag), flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, 5*time.Millisecond)
	if isSymlinkRefusal(err) {
		return nil, &InsecureError{path, "the lock file is a symlink", "rm " + path}
	}
	if err != nil || !ok {
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("tempcreds: waiting for the cache lock %s: %w (is another tempcreds stuck, e.g. at an MFA prompt?)", path, err)
	}
	return func() { _ = l.Unlock() }, nil
}

// Listed is one entry as `cache list` shows it: never a secret.
type Listed struct {
	Key     string
	Meta    Meta
	Expires time.Time
	// SessionName is the role session's name as STS issued it (from the
	// assumed-role user's ARN, the time of a default name included), else
	// the name the key records.
	SessionName string
	Err         error // set when the entry could not be read
}

// List returns every entry, sorted by key.
func (s *Store) List() ([]Listed, error) {
	if err := checkDir(s.Dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	names, err := filepath.Glob(filepath.Join(s.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Listed
	for _, n := range names {
		key := strings.TrimSuffix(filepath.Base(n), ".json")
		if !ValidKey(key) {
			continue
		}
		e, err := readEntry(n, nil)
		l := Listed{Key: key, Err: err}
		if err == nil && e == nil {
			l.Err = errors.New("corrupt entry")
		}
		if e != nil {
			l.Expires = e.Credentials.Expiration
			if e.Meta != nil {
				l.Meta = *e.Meta
				l.SessionName = e.Meta.SessionName
			}
			if u := e.AssumedRoleUser; u != nil && strings.Count(u.Arn, "/") >= 2 {
				l.SessionName = u.Arn[strings.LastIndex(u.Arn, "/")+1:]
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// Remove deletes the entry of key (and its lock file, unless another
// process holds it) and reports whether there was an entry. A missing
// entry is not an error.
func (s *Store) Remove(key string) (bool, error) {
	if !ValidKey(key) {
		return false, fmt.Errorf("tempcreds: %q is not a cache key (see `tempcreds cache list`)", key)
	}
	err := os.Remove(s.Path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("tempcreds: removing %s: %w", s.Path(key), err)
	}
	removeFreeLock(filepath.Join(s.Dir, key+".lock"))
	return err == nil, nil
}

// RemoveLocks deletes the lock files that no entry has and no process
// holds (an MFA device's, a web identity's derived keys', a cleared
// entry's), and returns how many.
func (s *Store) RemoveLocks() (int, error) {
	names, err := filepath.Glob(filepath.Join(s.Dir, "*.lock"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		key := strings.TrimSuffix(filepath.Base(name), ".lock")
		if _, err := os.Lstat(s.Path(key)); err == nil || !ValidKey(key) {
			continue
		}
		if removeFreeLock(name) {
			n++
		}
	}
	return n, nil
}

// removeFreeLock removes a regular lock file if it can take the lock at
// once: a lock another process holds is left alone, or that process and
// the next one would each hold a lock on a different file.
func removeFreeLock(path string) bool {
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		return false
	}
	l := flock.New(path, flock.SetFlag(os.O_RDONLY|noFollowFlag))
	if ok, err := l.TryLock(); err != nil || !ok {
		return false
	}
	defer func() { _ = l.Unlock() }()
	return os.Remove(path) == nil
}
