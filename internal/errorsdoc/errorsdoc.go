// Package errorsdoc keeps docs/errors.md in step with the bad-input tables
// of the tests: each table owns one section of the page.
package errorsdoc

import (
	"os"
	"strings"
	"testing"
)

// Check checks that the section of the page at path (between
// "<!-- section -->" and "<!-- /section -->") is exactly rows, or rewrites
// it when TEMPCREDS_WRITE_ERRORS_DOC is set.
func Check(t testing.TB, path, section string, rows []string) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+section+" -->\n", "<!-- /"+section+" -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %s section markers", path, section)
	}
	body := strings.Join(rows, "\n") + "\n"
	if os.Getenv("TEMPCREDS_WRITE_ERRORS_DOC") != "" {
		text := string(doc[:i+len(begin)]) + body + string(doc[j:])
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc[i+len(begin):j]) != body {
		t.Errorf("%s: the %s section is out of date: regenerate it with "+
			"TEMPCREDS_WRITE_ERRORS_DOC=1 go test -run 'BadInput|Catalogue' ./internal/cli ./cmd/tempcreds", path, section)
	}
}
