package chain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// CredentialEnv returns every environment variable that changes which
// credentials an AWS SDK resolves: a cache entry of the SDK's chain is only
// reused while they are unchanged.
func CredentialEnv() []string { return append([]string(nil), credentialEnv...) }

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

// environmentIdentity digests the credential environment Resolve read and
// the files it points to (the shared config and credentials files, a
// container authorization token file): what the SDK's default chain
// resolves from. The files are read now, on every build.
func (p *Plan) environmentIdentity() string {
	parts := append([]string(nil), p.credEnv...)
	tokenFile := ""
	for i := 0; i+1 < len(p.credEnv); i += 2 {
		if p.credEnv[i] == "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" {
			tokenFile = p.credEnv[i+1]
		}
	}
	for _, f := range []string{p.ConfigFile, p.CredentialsFile, tokenFile} {
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
