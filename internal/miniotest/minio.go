// Package miniotest installs, starts and stops a real MinIO server on
// loopback, with a local OpenID Connect issuer, for tests and the demo.
//
// MinIO is pinned (Version) and installed with `go install` into the
// repository's git-ignored .bin directory, once; every later start reuses
// it. If it cannot be installed or started, Start fails the test: the suite
// is never skipped.
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/gofrs/flock"
	"github.com/tempcreds/tempcreds/internal/syncbuf"
)

// Version is the pinned MinIO module version.
const Version = "v0.0.0-20260212201848-7aac2a2c5b7c"

// Module is MinIO's Go module path.
const Module = "github.com/minio/minio"

// Server is a running MinIO.
type Server struct {
	// Endpoint is MinIO's S3 and STS address, http://127.0.0.1:PORT.
	Endpoint     string
	RootUser     string
	RootPassword string
	// OIDC is the issuer MinIO trusts for web identity.
	OIDC *OIDC

	cmd  *exec.Cmd
	dir  string
	logs *syncbuf.Buffer
	done chan error
}

// Binary returns the path of the pinned MinIO server, installing it first
// if needed (about 2 minutes cold on 2 cores). Concurrent callers, in this
// process or others, install it once (a file lock guards the install).
func Binary() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, ".bin")
	exe := filepath.Join(bin, "minio")
	stamp := filepath.Join(bin, "minio.version")
	if installed(exe, stamp) {
		return exe, nil
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return "", err
	}
	lock := flock.New(filepath.Join(bin, ".minio.lock"))
	if err := lock.Lock(); err != nil {
		return "", fmt.Errorf("miniotest: locking the install: %w", err)
	}
	defer func() { _ = lock.Unlock() }()
	if installed(exe, stamp) {
		return exe, nil
	}
	cmd := exec.Command("go", "install", Module+"@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+bin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("miniotest: go install %s@%s failed: %v\n%s", Module, Version, err, tail(out, 4000))
	}
	if err := os.WriteFile(stamp, []byte(Version+"\n"), 0o644); err != nil {
		return "", err
	}
	return exe, nil
}

func installed(exe, stamp string) bool {
	v, err := os.ReadFile(stamp)
	if err != nil || strings.TrimSpace(string(v)) != Version {
		return false
	}
	st, err := os.Stat(exe)
	return err == nil && st.Mode()&0o111 != 0
}

// repoRoot finds the directory holding this module's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/tempcreds/tempcreds")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("miniotest: not inside the tempcreds repository (no go.mod found)")
		}
		dir = parent
	}
}

// Start starts MinIO for a test and stops it when the test ends. It fails
// the test (never skips it) if MinIO cannot be installed or started.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer(context.Background())
	if err != nil {
		t.Fatalf("MinIO is required for this suite and could not be started: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("MinIO log (tail):\n%s", tail(s.logs.Bytes(), 3000))
		}
		s.Close()
	})
	return s
}

// StartServer starts the OIDC issuer, then MinIO on a free loopback port
// with a temporary data dir and random root credentials, and waits until
// its IAM answers AssumeRole. Close stops both and removes the data.
func StartServer(ctx context.Context) (*Server, error) {
	exe, err := Binary()
	if err != nil {
		return nil, err
	}
	oidc, err := StartOIDC()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tempcreds-minio-")
	if err != nil {
		oidc.Close()
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		oidc.Close()
		return nil, err
	}
	consolePort, err := freePort()
	if err != nil {
		oidc.Close()
		return nil, err
	}
	s := &Server{
		Endpoint:     fmt.Sprintf("http://127.0.0.1:%d", port),
		RootUser:     "fake-root-" + randomHex(6),
		RootPassword: "fake-root-password-" + randomHex(12),
		OIDC:         oidc,
		dir:          dir,
		logs:         &syncbuf.Buffer{},
		done:         make(chan error, 1),
	}
	s.cmd = exec.Command(exe, "server",
		"--address", fmt.Sprintf("127.0.0.1:%d", port),
		"--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort),
		"--certs-dir", filepath.Join(dir, "certs"),
		"--quiet",
		filepath.Join(dir, "data"))
	s.cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.RootUser,
		"MINIO_ROOT_PASSWORD="+s.RootPassword,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_IDENTITY_OPENID_CONFIG_URL="+oidc.ConfigURL(),
		"MINIO_IDENTITY_OPENID_CLIENT_ID="+oidc.ClientID,
		"MINIO_IDENTITY_OPENID_CLIENT_SECRET="+randomHex(16),
		"MINIO_IDENTITY_OPENID_CLAIM_NAME=policy",
		"MINIO_IDENTITY_OPENID_SCOPES=openid",
	)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	ownGroup(s.cmd) // its own process group; on Linux also killed if the test dies
	if err := s.cmd.Start(); err != nil {
		oidc.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("miniotest: starting %s: %w", exe, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitReady(ctx, 90*time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// waitReady polls AssumeRole with the root keys: MinIO reports healthy
// before its IAM (and the OIDC provider it loads) is ready.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	client := s.STSClient(credentials.NewStaticCredentialsProvider(s.RootUser, s.RootPassword, ""))
	deadline := time.Now().Add(limit)
	var lastErr error
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		select {
		case err := <-s.done:
			return fmt.Errorf("miniotest: MinIO exited during start-up (%v):\n%s", err, tail(s.logs.Bytes(), 3000))
		default:
		}
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.AssumeRole(actx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/ignored"), RoleSessionName: aws.String("ready")})
		cancel()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("miniotest: MinIO not ready after %s (last AssumeRole: %v):\n%s", limit, lastErr, tail(s.logs.Bytes(), 3000))
}

// Close stops MinIO and the issuer and removes the data dir.
func (s *Server) Close() {
	if s.cmd != nil && s.cmd.Process != nil {
		stopGroup(s.cmd, false)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			stopGroup(s.cmd, true)
			<-s.done
		}
	}
	s.OIDC.Close()
	_ = os.RemoveAll(s.dir)
}

// Logs returns what MinIO printed so far.
func (s *Server) Logs() string { return string(s.logs.Bytes()) }

// RootCredentials returns the root keys as a provider.
func (s *Server) RootCredentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.RootUser, s.RootPassword, "")
}

// STSClient returns an STS client for MinIO signing with creds (nil: none).
// SDK retries are off so tests see each answer.
func (s *Server) STSClient(creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint), Credentials: creds, Retryer: aws.NopRetryer{},
	})
}

// S3Client returns an S3 client (path-style) for MinIO using creds.
func (s *Server) S3Client(creds aws.CredentialsProvider) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint), Credentials: creds,
		UsePathStyle: true, Retryer: aws.NopRetryer{},
	})
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
