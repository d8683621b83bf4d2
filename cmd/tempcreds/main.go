// Command tempcreds acquires, caches, refreshes and chains AWS temporary
// credentials. See README.md or `tempcreds --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/cli"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == childproc.SuperviseArg {
		os.Exit(childproc.Supervise(os.Args[2:]))
	}
	// Helpers run under this binary as their supervisor: a SIGKILLed
	// tempcreds leaves none of them (nor what they started) running.
	if exe, err := os.Executable(); err == nil {
		childproc.UseSupervisor(exe)
	}
	// Interrupt, terminate, a closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT)
	// end the run through its context, so the helpers it started (in their
	// own process groups) are killed on the way out.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	code := cli.Run(ctx, cli.DefaultApp(), os.Args[1:])
	stop()
	os.Exit(code)
}
