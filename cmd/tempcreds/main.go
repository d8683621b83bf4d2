// Command tempcreds acquires, caches, refreshes and chains AWS temporary
// credentials. See README.md or `tempcreds --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tempcreds/tempcreds/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.DefaultApp(), os.Args[1:])
	stop()
	os.Exit(code)
}
