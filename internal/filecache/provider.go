package filecache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"time"

	"github.com/tempcreds/tempcreds/internal/stsresult"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/tempcreds/tempcreds"
)

// Backend is where entries live: a Store (one file per key) or a SingleFile.
type Backend interface {
	Read(key string) (*Entry, error)
	Write(key string, e *Entry) error
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// KeyInputs are every input that changes the credentials; the key is their
// hash. SourceIdentity describes who signs (an access key ID, a profile
// chain, or the key of the hop below), never a secret.
type KeyInputs struct {
	Kind              string            `json:"kind"`
	SourceIdentity    string            `json:"source,omitempty"`
	RoleARN           string            `json:"roleArn,omitempty"`
	SessionName       string            `json:"sessionName,omitempty"`
	DurationSeconds   int64             `json:"duration,omitempty"`
	ExternalID        string            `json:"externalId,omitempty"`
	Policy            string            `json:"policy,omitempty"`
	PolicyARNs        []string          `json:"policyArns,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	TransitiveTagKeys []string          `json:"transitiveTagKeys,omitempty"`
	SourceIdentityTag string            `json:"sourceIdentity,omitempty"`
	MFASerial         string            `json:"mfaSerial,omitempty"`
	MinTokenSize      int               `json:"minTokenSize,omitempty"`
	WebIdentity       string            `json:"webIdentity,omitempty"` // token file or command, not the token
	Region            string            `json:"region,omitempty"`
	Endpoint          string            `json:"endpoint,omitempty"`
}

// Key returns the hex SHA-256 (first 40 digits) of the inputs' JSON, in
// which map keys are sorted: the same inputs give the same key.
func (k KeyInputs) Key() string {
	b, err := json.Marshal(k)
	if err != nil {
		panic(err) // only strings, ints, slices and maps: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:40]
}

// Provider reads credentials from a Backend, and on a miss (or with less
// than MinTTL left) takes the key's lock, re-reads, and only then calls
// Inner and writes its answer. Many processes asking at once make one call.
type Provider struct {
	Backend Backend
	Key     string
	Inputs  KeyInputs // recorded in the entry's metadata
	// Profile, if set, is recorded in the entry's metadata (Meta.Profile):
	// the profile the entry is made for. It is not part of the key.
	Profile string
	// Identity, if set, is called on every Retrieve and its answer is
	// mixed into Key (DeriveKey): for sources whose identity is only known
	// when read, such as a web identity token (a digest of the exact token,
	// never its unverified claims). An entry is then only returned to the
	// same identity that produced it. It must not return a secret.
	Identity func(ctx context.Context) (string, error)
	Inner    aws.CredentialsProvider
	// Freshness: an entry with less than its Need left is refreshed
	// (MinTTL gives the usual one).
	Freshness tempcreds.Freshness
	Clock     tempcreds.Clock
	// Debug receives one line per step (hit, miss, write). Optional.
	Debug func(msg string)
	// Warn receives failures to write the cache (the credentials are still
	// returned). Optional.
	Warn func(msg string)

	warned onceSet
}

func (p *Provider) now() time.Time {
	if p.Clock != nil {
		return p.Clock.Now()
	}
	return time.Now()
}

func (p *Provider) debug(format string, args ...any) {
	if p.Debug != nil {
		p.Debug(fmt.Sprintf(format, args...))
	}
}

// unusable reports a cache that may not be read or written (permissions,
// a read-only file system): worked around uncached, with a warning. An
// unsafe one (an *InsecureError) is never worked around.
func unusable(err error) bool {
	var insecure *InsecureError
	return err != nil && !errors.As(err, &insecure) && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS))
}

// hardWindow is the Cache's expiry window (tempcreds.Freshness{}.Need(0)):
// an entry with less left is neither served from disk nor written.
var hardWindow = tempcreds.Freshness{}.Need(0)

// maxLife is the longest an AWS session lives (GetSessionToken's 36 h):
// an entry expiring later is refused as a miss.
const maxLife = 36 * time.Hour

// warn gives a warning once per Provider.
func (p *Provider) warn(msg string) {
	if p.Warn != nil && p.warned.first(msg) {
		p.Warn(msg)
	}
}

// DeriveKey mixes an identity into a key: a different identity gives an
// unrelated key of the same form.
func DeriveKey(key, identity string) string {
	sum := sha256.Sum256([]byte(key + "\x00" + identity))
	return hex.EncodeToString(sum[:])[:40]
}

// MinTTL is the file cache's usual freshness: reuse an entry while it has
// minTTL left, or half a shorter session (so short sessions stay reusable).
func MinTTL(minTTL time.Duration) tempcreds.Freshness {
	return tempcreds.Freshness{Min: minTTL, MinFraction: 0.5}
}

// Retrieve returns cached credentials with Freshness's Need left, else
// fresh ones from Inner.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	r, err := p.RetrieveResult(ctx)
	return r.Credentials, err
}

// RetrieveResult is Retrieve with the assumed-role user, from the entry on
// a hit (stsresult.Provider).
func (p *Provider) RetrieveResult(ctx context.Context) (stsresult.Result, error) {
	key := p.Key
	if p.Identity != nil {
		id, err := p.Identity(ctx)
		if err != nil {
			// No identity, no entry: the inner provider reads the same
			// source and reports the failure with its context (or gets
			// through, uncached, if it was transient).
			p.debug("cache: source identity unknown (%v): not using the cache", err)
			return stsresult.Retrieve(ctx, p.Inner)
		}
		key = DeriveKey(key, id)
	}
	r, ok, err := p.lookup(key)
	switch {
	case unusable(err):
		// A cache directory we may not search or read (another user's,
		// an inherited XDG_CACHE_HOME under sudo): as with a read-only
		// one, the credentials are still fetched and returned, uncached.
		p.warn(fmt.Sprintf("tempcreds: the cache cannot be read, credentials are not cached: %v", err))
		return stsresult.Retrieve(ctx, p.Inner)
	case err != nil || ok:
		return r, err
	}
	unlock, err := p.Backend.Lock(ctx, key)
	switch {
	case err == nil:
		defer unlock()
	case unusable(err):
		// A read-only or unwritable cache directory: the credentials are
		// still fetched and returned, uncached, as with a full disk.
		p.warn(fmt.Sprintf("tempcreds: the cache is not writable, credentials are not cached: %v", err))
		return stsresult.Retrieve(ctx, p.Inner)
	default:
		return stsresult.Result{}, err
	}
	if r, ok, err := p.lookup(key); err != nil || ok {
		p.debug("cache %s: refreshed by another process while we waited", key)
		return r, err
	}
	p.debug("cache %s: miss, calling %s", key, p.Inputs.Kind)
	r, err = stsresult.Retrieve(ctx, p.Inner)
	if err != nil {
		return stsresult.Result{}, err
	}
	if !r.Credentials.CanExpire || r.Credentials.SessionToken == "" {
		// Long-term keys are never copied into the cache: they are
		// returned as they are.
		p.debug("cache %s: long-term credentials are not cached", key)
		return r, nil
	}
	e := p.entry(key, r)
	if err := checkEntry(e); err != nil {
		// What may not be served is never cached: the next run asks again.
		return stsresult.Result{}, err
	}
	if left := e.Credentials.Expiration.Sub(p.now()); left < hardWindow || left > maxLife {
		// Inside the Cache's expiry window (it will refuse them), or
		// further away than any AWS session lives: handed to the caller
		// to judge, never kept for the next run.
		p.debug("cache %s: %s left: not cached", key, left.Round(time.Second))
		return r, nil
	}
	if err := p.Backend.Write(key, e); err != nil {
		if p.Warn != nil {
			p.Warn(fmt.Sprintf("tempcreds: could not write the cache (credentials still used): %v", err))
		}
	} else {
		p.debug("cache %s: written, expires %s", key, e.Credentials.Expiration.Format(time.RFC3339))
	}
	return r, nil
}

// lookup returns the entry if it is ours (or a helper file for this role)
// and has enough time left.
func (p *Provider) lookup(key string) (stsresult.Result, bool, error) {
	e, err := p.Backend.Read(key)
	if err != nil || e == nil {
		return stsresult.Result{}, false, err
	}
	if !p.matches(key, e) {
		p.debug("cache %s: entry is for other inputs, ignoring it", key)
		return stsresult.Result{}, false, nil
	}
	left := e.Credentials.Expiration.Sub(p.now())
	// The file cache's "needs a refresh" is never laxer than the Cache's:
	// an entry inside its expiry window would be refused, not served.
	need := max(p.Freshness.Need(e.Lifetime()), hardWindow)
	if left < need || left <= 0 {
		p.debug("cache %s: %s left, want %s: refreshing", key, left.Round(time.Second), need)
		return stsresult.Result{}, false, nil
	}
	if left > maxLife {
		p.warn(fmt.Sprintf("tempcreds: ignoring cache entry %s: it expires in %s, later than any AWS session lives (36h); it will be replaced", key, left.Round(time.Hour)))
		return stsresult.Result{}, false, nil
	}
	p.debug("cache %s: hit, %s left", key, left.Round(time.Second))
	r := stsresult.Result{Credentials: e.credentials()}
	if u := e.AssumedRoleUser; u != nil {
		r.AssumedRoleARN, r.AssumedRoleID = u.Arn, u.AssumedRoleId
	}
	if a, err := arn.Parse(p.Inputs.RoleARN); err == nil && r.Credentials.AccountID == "" {
		r.Credentials.AccountID = a.AccountID // the role's account (no AssumedRoleUser recorded)
	}
	return r, true, nil
}

// matches accepts our own entry for this key, or an aws-sts-helper file
// (no metadata) whose AssumedRoleUser is this role.
func (p *Provider) matches(key string, e *Entry) bool {
	if e.Meta != nil {
		return e.Meta.Key == key
	}
	return p.Inputs.RoleARN != "" && e.AssumedRoleUser != nil && AssumedRoleMatches(e.AssumedRoleUser.Arn, p.Inputs.RoleARN)
}

// AssumedRoleMatches reports whether an assumed-role user ARN
// (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) is a session of roleARN
// (arn:aws:iam::ACCOUNT:role/PATH/NAME).
func AssumedRoleMatches(assumedARN, roleARN string) bool {
	a, err1 := arn.Parse(assumedARN)
	r, err2 := arn.Parse(roleARN)
	if err1 != nil || err2 != nil || a.AccountID != r.AccountID || a.Partition != r.Partition {
		return false
	}
	parts := strings.Split(a.Resource, "/")
	if len(parts) < 3 || parts[0] != "assumed-role" {
		return false
	}
	roleName := r.Resource[strings.LastIndex(r.Resource, "/")+1:]
	return strings.HasPrefix(r.Resource, "role/") && parts[1] == roleName
}

func (p *Provider) entry(key string, r stsresult.Result) *Entry {
	c := r.Credentials
	e := &Entry{
		Credentials: &Credentials{AccessKeyId: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			SessionToken: c.SessionToken, Expiration: c.Expires.UTC()},
		Meta: &Meta{Version: FormatVersion, Key: key, Kind: p.Inputs.Kind, RoleARN: p.Inputs.RoleARN,
			SessionName: p.Inputs.SessionName, Source: p.Inputs.SourceIdentity, Region: p.Inputs.Region,
			Profile: p.Profile, CreatedAt: p.now().UTC().Truncate(time.Second)},
	}
	if r.AssumedRoleARN != "" {
		e.AssumedRoleUser = &AssumedRoleUser{AssumedRoleId: r.AssumedRoleID, Arn: r.AssumedRoleARN}
	}
	return e
}

// ProviderSources reports Inner's sources (when it tells them), for the
// SDK's credential feature tracking (aws.CredentialProviderSource): the
// cache in between is no source of its own.
func (p *Provider) ProviderSources() []aws.CredentialSource {
	return stsresult.Sources(p.Inner)
}
