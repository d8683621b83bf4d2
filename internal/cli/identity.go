package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/childproc"
)

// A cache entry is only returned to the source identity that produced it.
// The key of the first hop records who signs: for keys, the access key ID
// and a digest of the secret; for the SDK's default chain and profiles it
// resolves, a digest of every environment variable any SDK reads for
// credentials and of the config and credentials files' contents; for web
// identity, a digest of the exact token, read on every lookup (never its
// claims, which anyone can forge). Digests are SHA-256: a secret cannot be
// recovered from them, and none is written anywhere.

// credentialEnv is every environment variable that changes which
// credentials an AWS SDK resolves: those exec removes from a child, plus
// the ones that only steer the SDK's chain.
var credentialEnv = append(append([]string(nil), childproc.CredentialVars...),
	"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_SDK_LOAD_CONFIG",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")

// digest is the hex SHA-256 of the parts, each length-prefixed.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		for i := range n {
			n[i] = byte(uint64(len(p)) >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// environmentIdentity digests the credential environment and the files it
// points to (the shared config and credentials files, a container
// authorization token file): what the SDK's default chain resolves from.
func (a *app) environmentIdentity() string {
	var parts []string
	for _, name := range credentialEnv {
		parts = append(parts, name, a.getenv(name))
	}
	home := a.getenv("HOME")
	files := []string{
		firstNonEmpty(a.getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config")),
		firstNonEmpty(a.getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials")),
		a.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		b, err := bounded.ReadFile(f, bounded.ConfigFile)
		if err != nil {
			parts = append(parts, f, "unreadable")
			continue
		}
		parts = append(parts, f, string(b))
	}
	return digest(parts...)
}

// memoToken reads a web identity token once and hands the same token to
// the cache lookup (its digest is the key) and to the STS call that follows,
// so an entry is never written under another token's key. It reads again
// once the last read is older than memoFor: a long-lived serve follows
// rotations. The age is measured on the process's monotonic clock, not the
// injected wall clock: it is about one resolution, not about expiry.
type memoToken struct {
	src tempcreds.TokenSource
	mu  sync.Mutex
	tok string
	at  time.Time
}

const memoFor = time.Second

// Token returns the token read within the last memoFor, or reads it.
func (m *memoToken) Token(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok != "" && time.Since(m.at) < memoFor {
		return m.tok, nil
	}
	tok, err := m.src.Token(ctx)
	if err != nil {
		return "", err
	}
	m.tok, m.at = tok, time.Now()
	return tok, nil
}

// identity is the token's digest, for filecache.Provider.Identity.
func (m *memoToken) identity(ctx context.Context) (string, error) {
	tok, err := m.Token(ctx)
	if err != nil {
		return "", err
	}
	return "web-identity-token-sha256:" + digest(tok), nil
}

// absPath makes a relative path absolute (two directories never share a
// relative token path's entry, and errors name the real file).
func absPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// cwd is the working directory, part of a token command's key (a relative
// path inside the command means a different file in another directory).
func cwd() string {
	d, _ := os.Getwd()
	return d
}
