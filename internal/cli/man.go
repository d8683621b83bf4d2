package cli

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// manPages are the man pages of the command tree, generated with cobra's
// doc package by TestManPagesAreCurrent (TEMPCREDS_WRITE_MAN=1 rewrites
// them) and embedded: the binary does not link cobra/doc and its markdown
// renderer, whose start-up (0.5 ms) every cache hit would pay.
//
//go:embed manpages/*.1
var manPages embed.FS

// manOptions are the man command's flags.
type manOptions struct {
	deps *app   // what the run needs: streams, environment, clock, terminal, messages
	Dir  string // write one page per command into Dir
}

func (a *app) manCommand() *cobra.Command {
	o := &manOptions{deps: a}
	cmd := &cobra.Command{
		Use:   "man",
		Short: "Print the tempcreds(1) man page, or write one page per command with --dir",
		Example: `  tempcreds man | man -l -
  tempcreds man --dir ~/.local/share/man/man1   # then: man -M ~/.local/share/man tempcreds-exec`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return o.run() },
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "", "write tempcreds.1, tempcreds-export.1, ... into this directory")
	return cmd
}

// run prints tempcreds.1, or writes every page into o.Dir.
func (o *manOptions) run() error {
	a := o.deps
	if o.Dir == "" {
		b, err := manPages.ReadFile("manpages/tempcreds.1")
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(b)
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return usagef("--dir %s: %v", o.Dir, err)
	}
	pages, err := fs.Glob(manPages, "manpages/*.1")
	if err != nil {
		return err
	}
	for _, p := range pages {
		b, err := manPages.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(o.Dir, filepath.Base(p)), b, 0o644); err != nil {
			return fmt.Errorf("writing man pages to %s: %w", o.Dir, err)
		}
	}
	a.say.Infof("%d man pages written to %s (man -M %s tempcreds)", len(pages), o.Dir, filepath.Dir(o.Dir))
	return nil
}
