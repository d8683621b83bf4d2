package tempcreds

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tempcreds/tempcreds/ststest"
)

// FuzzSTSErrorBody: whatever STS answers (any status, any body), the
// provider returns a tempcreds.Error whose message holds no secret, or
// complete credentials; never a panic.
func FuzzSTSErrorBody(f *testing.F) {
	f.Add(400, `<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>`)
	f.Add(200, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>`)
	f.Add(503, ``)
	f.Add(200, `<<<`)
	const secret = "fake-secret-FUZZ-must-not-appear"
	var body string
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	sts := (&ststest.Server{URL: srv.URL}).Client(credentials.NewStaticCredentialsProvider("AKIAFAKEFUZZ", secret, ""))
	p, err := NewAssumeRole(sts, "arn:aws:iam::123456789012:role/Fuzz")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, st int, b string) {
		if st < 200 || st > 599 {
			return
		}
		status, body = st, b
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		creds, err := p.Retrieve(ctx)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the secret key leaked into the error")
			}
			return
		}
		if creds.AccessKeyID == "" || creds.SecretAccessKey == "" || creds.SessionToken == "" || creds.Expires.IsZero() {
			t.Fatalf("incomplete credentials accepted: %+v", creds.AccessKeyID)
		}
	})
}
