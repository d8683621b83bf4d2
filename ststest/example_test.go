package ststest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/tempcreds/tempcreds/ststest"
)

// Test code that assumes a role, and what it does when STS throttles, with
// the SDK's own STS client pointed at the fake.
func ExampleNew() {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("ci") // fake long-term keys the fake STS knows
	client := s.Client(credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, ""),
		func(o *sts.Options) { o.RetryMaxAttempts = 1 })

	assume := func() error {
		_, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/Deploy"), RoleSessionName: aws.String("ci"),
		})
		return err
	}
	if err := assume(); err != nil {
		log.Fatal(err)
	}
	s.InjectFaults(ststest.Fault{Code: "Throttling", Message: "Rate exceeded", Status: 400})
	var api smithy.APIError
	if err := assume(); errors.As(err, &api) {
		fmt.Println("refused:", api.ErrorCode())
	}
	fmt.Println("AssumeRole calls:", s.Count("AssumeRole"), "signed by the user:", s.Calls()[0].SignedBy == user.AccessKeyID)
	// Output:
	// refused: Throttling
	// AssumeRole calls: 2 signed by the user: true
}
