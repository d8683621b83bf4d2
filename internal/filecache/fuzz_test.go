package filecache

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadEntry: any cache file content is a complete entry or a miss;
// never a panic, never an incomplete entry.
func FuzzReadEntry(f *testing.F) {
	f.Add([]byte(`{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-22T10:00:00Z"}}`))
	f.Add([]byte(`{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-22T10:00:00.000Z"},"AssumedRoleUser":{"Arn":"arn:aws:sts::1:assumed-role/x/y"}}`))
	f.Add([]byte(`{"Credentials":null}`))
	f.Add([]byte(`{"Credentials":{"expiration":"2026-11-22T10:00:00Z"}}`))
	f.Add([]byte("\x00\xff"))
	// One pass through the file path (open, checks, read), then the decoder
	// alone: a file write per input would make the fuzzer crawl.
	path := filepath.Join(f.TempDir(), "e.json")
	if err := os.WriteFile(path, []byte(`{"Credentials":{}}`), 0o600); err != nil {
		f.Fatal(err)
	}
	if e, err := readEntry(path, func(string) {}); err != nil || e != nil {
		f.Fatalf("an incomplete file: %v, %v", e, err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if e := decodeEntry(b); e != nil && !e.complete() {
			t.Fatal("an incomplete entry was returned")
		}
	})
}

// FuzzAssumedRoleMatches never panics and only matches same-account roles.
func FuzzAssumedRoleMatches(f *testing.F) {
	f.Add("arn:aws:sts::123456789012:assumed-role/A/s", "arn:aws:iam::123456789012:role/A")
	f.Add("arn:aws:sts::123456789012:assumed-role/A", "arn:aws:iam::123456789012:role/")
	f.Fuzz(func(t *testing.T, assumed, role string) {
		if AssumedRoleMatches(assumed, role) && (len(assumed) < 20 || len(role) < 20) {
			t.Fatalf("%q matched %q", assumed, role)
		}
	})
}
