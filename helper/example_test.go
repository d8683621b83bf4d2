package helper_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/helper"
	"github.com/tempcreds/tempcreds/ststest"
)

// aws-sts-helper's configuration object: assume a role with long-term keys,
// keep the STS response in a 0600 file, and reuse it on the next call.
func ExampleGetTemporaryCredentials() {
	s := ststest.New() // a fake STS; in real use, leave Endpoint empty
	defer s.Close()
	user := s.AddUser("colby") // fake keys, issued by the fake STS
	dir, err := os.MkdirTemp("", "helper-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	var cfg helper.Config
	cfg.Credentials.FileName = filepath.Join(dir, ".aws-sts.json")
	cfg.Credentials.Mode = 0o600
	cfg.Role.ARN = "arn:aws:iam::123456789012:role/ProjectsS3Development"
	cfg.Role.SessionName = "colbyProjectsDev"
	cfg.Key.Access, cfg.Key.Secret = user.AccessKeyID, user.SecretAccessKey
	cfg.Region, cfg.Endpoint = "us-east-1", s.URL
	cfg.Getenv = func(string) string { return "" } // ignore this machine's AWS_* variables

	for range 2 {
		r, err := helper.GetTemporaryCredentials(context.Background(), cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(strings.HasSuffix(aws.ToString(r.AssumedRoleUser.Arn), "/colbyProjectsDev"))
	}
	fmt.Println("AssumeRole calls:", s.Count("AssumeRole"))
	// Output:
	// true
	// true
	// AssumeRole calls: 1
}
