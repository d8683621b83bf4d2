// Package floorprog is the body of the export benchmark's floor programs:
// read a cached STS response from a JSON file and print three export lines.
package floorprog

import (
	"encoding/json"
	"fmt"
	"os"
)

// Main runs the floor program on os.Args[1].
func Main() {
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
