package filecache_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/filecache"
)

// Cache a provider's credentials on disk, shared by every process that
// computes the same key: the second Retrieve (here, or in another process)
// reads the 0600 file instead of calling STS.
func ExampleProvider() {
	dir, _ := os.MkdirTemp("", "filecache-example")
	defer os.RemoveAll(dir)
	calls := 0
	sts := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		calls++
		return aws.Credentials{AccessKeyID: "ASIAFAKEEXAMPLE", SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	})
	in := filecache.KeyInputs{Kind: "assume-role", RoleARN: "arn:aws:iam::123456789012:role/A", SourceIdentity: "keys:AKIAFAKE"}
	newProvider := func() aws.CredentialsProvider {
		return tempcreds.NewCache(&filecache.Provider{Backend: &filecache.Store{Dir: filepath.Join(dir, "cache")},
			Key: in.Key(), Inputs: in, Inner: sts, Freshness: filecache.MinTTL(15 * time.Minute)})
	}
	for range 2 { // two "processes"
		if _, err := newProvider().Retrieve(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	st, _ := os.Stat(filepath.Join(dir, "cache", in.Key()+".json"))
	fmt.Println("STS calls:", calls, "mode:", st.Mode().Perm())
	// Output: STS calls: 1 mode: -rw-------
}
