package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra/doc"
)

// manDate is the pages' date: fixed, so the pages are reproducible and no
// test depends on today's date.
var manDate = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// TestManPagesAreCurrent regenerates the man pages from the command tree
// with cobra's doc package and compares them with the embedded ones
// (TEMPCREDS_WRITE_MAN=1 rewrites them): a changed flag or help text
// fails here until the pages follow.
func TestManPagesAreCurrent(t *testing.T) {
	root := (&app{App: App{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}}).rootCommand()
	root.DisableAutoGenTag = true
	dir := t.TempDir()
	h := &doc.GenManHeader{Title: "TEMPCREDS", Section: "1", Source: "tempcreds", Manual: "tempcreds manual", Date: &manDate}
	if err := doc.GenManTree(root, h, dir); err != nil {
		t.Fatal(err)
	}
	fresh, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if os.Getenv("TEMPCREDS_WRITE_MAN") == "1" {
		old, _ := filepath.Glob("manpages/*.1")
		for _, p := range old {
			_ = os.Remove(p)
		}
		for _, p := range fresh {
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(filepath.Join("manpages", filepath.Base(p)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	embedded, _ := filepath.Glob("manpages/*.1")
	if len(embedded) != len(fresh) {
		t.Fatalf("%d embedded man pages, %d commands: regenerate with TEMPCREDS_WRITE_MAN=1 go test -run ManPages ./internal/cli", len(embedded), len(fresh))
	}
	for _, p := range fresh {
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join("manpages", filepath.Base(p)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("manpages/%s is out of date: regenerate with TEMPCREDS_WRITE_MAN=1 go test -run ManPages ./internal/cli", filepath.Base(p))
		}
	}
}
