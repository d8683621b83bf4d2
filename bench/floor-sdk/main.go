// Command floor-sdk is the floor program linked with aws-sdk-go-v2's config
// and STS packages (as tempcreds must be): it shows what linking the SDK
// alone costs at start-up, before tempcreds does anything.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var r struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	if err := json.Unmarshal(b, &r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	c := r.Credentials
	fmt.Printf("export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_SESSION_TOKEN=%s\n", c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
}
