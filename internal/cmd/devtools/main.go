// Command devtools builds the development tools the tests and the demo
// use, once per machine and with progress (`make test` runs it before any
// test, whose output go test would hide): today the pinned MinIO server.
package main

import (
	"fmt"
	"os"

	"github.com/tempcreds/tempcreds/internal/miniotest"
)

func main() {
	exe, err := miniotest.Install(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "devtools:", err)
		os.Exit(1)
	}
	fmt.Println("devtools: MinIO ready at", exe)
}
