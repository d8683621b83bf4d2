// Package cacheid names who signs the first call of a chain, for its cache
// keys: a cache entry is only returned to the source identity that
// produced it. For keys, the access key ID and a digest of the secret; for
// the SDK's default chain and profiles it resolves, a digest of every
// environment variable any SDK reads for credentials and of the config and
// credentials files' contents; for a source process, a digest of the
// command and what it inherits; for web identity, a digest of the exact
// token, read on every lookup (never its claims, which anyone can forge).
// Digests are SHA-256: a secret cannot be recovered from them, and none is
// written anywhere.
package cacheid

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/childproc"
)

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

// ProcessEnv returns the credential environment of this process as name,
// value pairs: what aws-sdk-go-v2's chain reads, whatever else a caller's
// lookup says.
func ProcessEnv() []string {
	out := make([]string, 0, 2*len(credentialEnv))
	for _, name := range credentialEnv {
		out = append(out, name, os.Getenv(name))
	}
	return out
}

// Digest is the hex SHA-256 of the parts, each length-prefixed.
func Digest(parts ...string) string {
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

// Environment digests a credential environment (name, value pairs, from
// ProcessEnv) and the files it points to (the shared config and credentials
// files, a container authorization token file): what the SDK's default
// chain resolves from. The files are read now, on every call.
func Environment(credEnv []string, configFile, credentialsFile string) string {
	parts := append([]string(nil), credEnv...)
	tokenFile := ""
	for i := 0; i+1 < len(credEnv); i += 2 {
		if credEnv[i] == "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" {
			tokenFile = credEnv[i+1]
		}
	}
	for _, f := range []string{configFile, credentialsFile, tokenFile} {
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
	return Digest(parts...)
}

// Static is the identity of long-term or given keys: the access key ID
// and a digest of the secret (and token).
func Static(accessKeyID, secret, token string) string {
	return "keys:" + accessKeyID + ":" + Digest(secret, token)
}

// Process names a source process: a digest of the profile, the command as
// written, the working directory (any word of it may name a file relative
// to it: `cat c.json`), its HOME and the environment identity it inherits.
// A digest, so that neither a separator in a name nor a secret in the
// command line shows in the key or the entry's metadata.
func Process(profile, command, environment string) string {
	// HOME too: a helper reads its own files under it (~/.okta, a
	// signing helper's key), so another HOME is another identity.
	return "process:" + Digest(profile, command, Cwd(), "HOME="+os.Getenv("HOME"), environment)
}

// ProcessOutput is the identity of the credentials a source process
// printed: what is built on them is keyed by them.
func ProcessOutput(c aws.Credentials) string {
	return "process-output-sha256:" + Digest(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// Cwd is the working directory, part of a command's identity (a relative
// path inside the command means a different file in another directory).
func Cwd() string {
	d, _ := os.Getwd()
	return d
}

// MemoToken reads a web identity token once and hands the same token to
// the cache lookup (its digest is the key) and to the STS call that follows,
// so an entry is never written under another token's key. It reads again
// once the last read is older than memoFor: a long-lived serve follows
// rotations. The age is measured on the process's monotonic clock, not the
// injected wall clock: it is about one resolution, not about expiry.
type MemoToken struct {
	src tempcreds.TokenSource
	mu  sync.Mutex
	tok string
	at  time.Time
}

const memoFor = time.Second

// NewMemoToken memoises src.
func NewMemoToken(src tempcreds.TokenSource) *MemoToken { return &MemoToken{src: src} }

// Token returns the token read within the last memoFor, or reads it.
func (m *MemoToken) Token(ctx context.Context) (string, error) {
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

// Identity is the token's digest, for filecache.Provider.Identity.
func (m *MemoToken) Identity(ctx context.Context) (string, error) {
	tok, err := m.Token(ctx)
	if err != nil {
		return "", err
	}
	return "web-identity-token-sha256:" + Digest(tok), nil
}

// PlanKeys returns the file-cache keys of a *chain.Plan, source first (the
// final hop's last). Package chain sets it when it is initialised: the
// command line needs the keys, a library user does not, and chain imports
// this package rather than the other way round.
var PlanKeys func(plan any) []string
