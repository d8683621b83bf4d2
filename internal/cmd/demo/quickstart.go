package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/tempcreds/tempcreds/internal/miniotest"
)

// quickstartConfig is the README's quick start: a keys profile and two
// role profiles on it. MinIO's root keys are random and local: fake, never
// an AWS secret.
func quickstartConfig(dir, user, password string) (config, credentials string, err error) {
	config = filepath.Join(dir, "config")
	credentials = filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte(`[profile base]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::123456789012:role/prod
source_profile = base
region = eu-west-1
duration_seconds = 1800
`), 0o600); err != nil {
		return "", "", err
	}
	err = os.WriteFile(credentials, []byte("[base]\naws_access_key_id = "+user+"\naws_secret_access_key = "+password+"\n"), 0o600)
	return config, credentials, err
}

// runMinIO is `make minio`: MinIO on loopback with a bucket and the quick
// start's profiles written to a scratch directory, until Ctrl-C.
func runMinIO(ctx context.Context) error {
	fmt.Println("minio: starting the pinned MinIO (a real STS and S3) on 127.0.0.1")
	m, err := startMinIO(ctx, "quickstart")
	if err != nil {
		return err
	}
	defer m.Close()
	dir, err := os.MkdirTemp("", "tempcreds-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	config, credentials, err := quickstartConfig(dir, m.RootUser, m.RootPassword)
	if err != nil {
		return err
	}
	fmt.Printf(`
MinIO is running at %s with a bucket "quickstart". The quick start's profiles
(base: MinIO's random local root keys; dev and prod: roles on base) are in %s.
In another terminal, point the AWS tools at them:

  export AWS_CONFIG_FILE=%s
  export AWS_SHARED_CREDENTIALS_FILE=%s
  export AWS_ENDPOINT_URL=%s

then follow the README's quick start. Ctrl-C here stops MinIO and removes everything.
`, m.Endpoint, dir, config, credentials, m.Endpoint)
	<-ctx.Done()
	fmt.Println("\nminio: stopping; its data and the profiles are removed")
	return nil
}

// startMinIO builds MinIO if this machine has none (saying so, with
// progress: minutes, not a hang), starts it and creates bucket.
func startMinIO(ctx context.Context, bucket string) (*miniotest.Server, error) {
	if _, err := miniotest.Install(os.Stdout); err != nil {
		return nil, err
	}
	m, err := miniotest.StartServer(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := m.S3Client(m.RootCredentials()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}
