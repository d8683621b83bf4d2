package containercreds_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/tempcreds/tempcreds/containercreds"
)

// Read credentials from a container-credentials endpoint with a token file
// (what ECS, EKS Pod Identity and `tempcreds serve` hand a process), the
// token read again on every load so a rotated one is used.
func ExampleNewURL() {
	// An endpoint of the container protocol (in real use: the ECS agent, EKS
	// Pod Identity, or `tempcreds serve`); every value here is fake.
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "fake-token" {
			http.Error(w, `{"code":"AccessDenied","message":"wrong token"}`, http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId":"ASIAFAKEEXAMPLE","SecretAccessKey":"fake","Token":"fake","Expiration":%q}`,
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	defer endpoint.Close()
	dir, err := os.MkdirTemp("", "containercreds-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tokenFile := filepath.Join(dir, "token") // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
	if err := os.WriteFile(tokenFile, []byte("fake-token\n"), 0o600); err != nil {
		log.Fatal(err)
	}

	p, err := containercreds.NewURL(context.Background(), endpoint.URL+"/creds", containercreds.TokenFile(tokenFile))
	if err != nil {
		log.Fatal(err)
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.AccessKeyID, creds.CanExpire)
	// Output: ASIAFAKEEXAMPLE true
}
