package server_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/containercreds"
	"github.com/tempcreds/tempcreds/server"
)

// Serve any provider's credentials to other processes, and read them back
// with the container-credentials client, as an SDK in a child would.
func ExampleNew() {
	provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "ASIAFAKEEXAMPLE", SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	})
	s := server.New(provider) // in real use: a role, a chain, a profile...
	ln, err := server.Listen("127.0.0.1:0", false)
	if err != nil {
		log.Fatal(err)
	}
	s.Start(ln)
	defer s.Shutdown(context.Background())

	// What AWS_CONTAINER_CREDENTIALS_FULL_URI and _AUTHORIZATION_TOKEN carry.
	client, err := containercreds.NewURL(context.Background(), s.URL("/"), containercreds.Token(s.Token()))
	if err != nil {
		log.Fatal(err)
	}
	creds, err := client.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.AccessKeyID, time.Until(creds.Expires) > 15*time.Minute)
	// Output: ASIAFAKEEXAMPLE true
}
