package sdksource

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/tempcreds/tempcreds/internal/sharedfiles"
)

func TestErrorsNeverCarryTheSDKsText(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    *Source
		err  error
		want string
	}{
		{"a credential_process", &Source{Profile: "dev"}, &processcreds.ProviderError{Err: errors.New(`{"SecretAccessKey":"SECRET"`)},
			"the credential_process of profile dev failed or printed output that is not valid credentials JSON"},
		{"an expired login", &Source{Profile: "dev", HumanSession: "sso:corp", LoginCommand: "aws sso login --profile dev"}, errors.New("token expired"),
			"the sso session of profile dev failed: token expired (if it expired, run `aws sso login --profile dev` and retry)"},
		{"anything else", &Source{}, errors.New("no EC2 IMDS role found"), "no source credentials: no EC2 IMDS role found (set AWS_ACCESS_KEY_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.error(tc.err).Error()
			if !strings.Contains(got, tc.want) || strings.Contains(got, `"SECRET"`) {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
}

func TestTheLoaderRunsOnceAndChecksTheFilesFirst(t *testing.T) {
	dir := t.TempDir()
	s := &Source{Region: "us-east-1", Files: sharedfiles.Files{Config: dir, Credentials: filepath.Join(dir, "none")}}
	for i := 0; i < 2; i++ {
		_, err := s.Retrieve(context.Background())
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Fatalf("retrieve %d: %v", i, err)
		}
	}
}

func TestNoLockWithoutASession(t *testing.T) {
	unlock, err := (&Source{LockDir: t.TempDir()}).lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}
