package apilist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheCheckedInAPIListingMatchesTheCode: api/PACKAGE.txt lists every
// exported name of every public package. A change to the API fails here
// until the listing is rewritten on purpose, in its own commit:
//
//	TEMPCREDS_WRITE_API=1 go test -run APIListing ./internal/apilist
func TestTheCheckedInAPIListingMatchesTheCode(t *testing.T) {
	root := filepath.Join("..", "..")
	pkgs, err := Packages(root)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, rel := range pkgs {
		name := listingName(rel)
		want[name] = true
		got, err := List(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(root, "api", name)
		if os.Getenv("TEMPCREDS_WRITE_API") != "" {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		checked, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s has no API listing (%v): write it with TEMPCREDS_WRITE_API=1", rel, err)
			continue
		}
		if string(checked) != got {
			t.Errorf("the API of %s differs from api/%s:\n%s\nif the change is deliberate, rewrite the listing with TEMPCREDS_WRITE_API=1 go test -run APIListing ./internal/apilist",
				rel, name, diff(string(checked), got))
		}
	}
	listings, _ := filepath.Glob(filepath.Join(root, "api", "*.txt"))
	for _, l := range listings {
		if !want[filepath.Base(l)] {
			t.Errorf("api/%s lists a package that is no longer public: remove it", filepath.Base(l))
		}
	}
}

// listingName is the file of a package's listing: tempcreds.txt for the
// root, chain.txt for chain.
func listingName(rel string) string {
	if rel == "." {
		return "tempcreds.txt"
	}
	return strings.ReplaceAll(filepath.ToSlash(rel), "/", "-") + ".txt"
}

// diff lists the lines only in one of the listings.
func diff(old, cur string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	o, c := in(old), in(cur)
	var b strings.Builder
	for _, l := range strings.Split(old, "\n") {
		if !c[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(cur, "\n") {
		if !o[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestTheListerSeesEveryKindOfName: a package with each kind of exported
// and unexported declaration.
func TestTheListerSeesEveryKindOfName(t *testing.T) {
	dir := t.TempDir()
	src := `package p

// C is documented.
const C, c = 1, 2
var V int
type T struct {
	A string // comment
	b int
	Embedded
}
type Embedded struct{}
type I interface{ M(x int) error }
type A = T
func F(a, b string) (int, error) { return 0, nil }
func (t *T) M() {}
func (t *t2) N() {}
type t2 struct{}
func f() {}
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := `p: const C
p: func (*T) M()
p: func F(a, b string) (int, error)
p: type A = T
p: type Embedded struct
p: type I interface
p: type I interface, M (x int) error
p: type T struct
p: type T struct, A string
p: type T struct, embedded Embedded
p: var V int
`
	if got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
}

// TestTheRootPackageStaysSmall: at most 30 top-level exported names in
// package tempcreds (types, functions, constants, variables; not methods
// or fields), the bound issue 20 set for v1.
func TestTheRootPackageStaysSmall(t *testing.T) {
	got, err := List(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		decl := strings.TrimPrefix(l, "tempcreds: ")
		if strings.HasPrefix(decl, "func (") || strings.Contains(decl, ", ") && strings.HasPrefix(decl, "type ") {
			continue // a method, a field or an interface method
		}
		names = append(names, decl)
	}
	if len(names) > 30 {
		t.Errorf("package tempcreds exports %d top-level names, more than 30:\n%s", len(names), strings.Join(names, "\n"))
	}
}
