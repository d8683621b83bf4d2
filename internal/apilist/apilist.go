// Package apilist prints the exported API of a Go package: every exported
// constant, variable, function, type, field and method, with its signature
// and without comments, sorted. The listing is checked in (api/*.txt) and a
// test compares it with the code, so every API change is deliberate.
//
// It parses with go/ast rather than golang.org/x/exp/apidiff, so the module
// needs no extra dependency; it lists names and signatures, which is what a
// reviewer reads.
package apilist

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// List returns the API listing of the package in dir (its non-test files
// for GOOS-independent builds: files with a _windows, _darwin or other
// platform suffix are included too, so every platform's API is listed).
func List(dir string) (string, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	var lines []string
	seen := map[string]bool{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return "", err
		}
		for _, l := range fileAPI(fset, f) {
			if !seen[l] {
				seen[l] = true
				lines = append(lines, l)
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n", nil
}

// fileAPI lists one file's exported declarations.
func fileAPI(fset *token.FileSet, f *ast.File) []string {
	pkg := f.Name.Name
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if l, ok := funcLine(fset, pkg, d); ok {
				out = append(out, l)
			}
		case *ast.GenDecl:
			out = append(out, genLines(fset, pkg, d)...)
		}
	}
	return out
}

func funcLine(fset *token.FileSet, pkg string, d *ast.FuncDecl) (string, bool) {
	if !d.Name.IsExported() {
		return "", false
	}
	name := d.Name.Name
	if d.Recv != nil {
		recv := receiverType(d.Recv.List[0].Type)
		if !ast.IsExported(strings.TrimPrefix(recv, "*")) {
			return "", false
		}
		name = "(" + recv + ") " + name
	}
	return fmt.Sprintf("%s: func %s%s", pkg, name, strings.TrimPrefix(node(fset, d.Type), "func")), true
}

func receiverType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return "*" + receiverType(t.X)
	case *ast.IndexExpr:
		return receiverType(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

func genLines(fset *token.FileSet, pkg string, d *ast.GenDecl) []string {
	var out []string
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.ValueSpec:
			for _, n := range s.Names {
				if n.IsExported() {
					l := fmt.Sprintf("%s: %s %s", pkg, d.Tok, n.Name)
					if s.Type != nil {
						l += " " + node(fset, s.Type)
					}
					out = append(out, l)
				}
			}
		case *ast.TypeSpec:
			if s.Name.IsExported() {
				out = append(out, typeLines(fset, pkg, s)...)
			}
		}
	}
	return out
}

// typeLines lists a type and, for structs and interfaces, each exported
// field or method on its own line.
func typeLines(fset *token.FileSet, pkg string, s *ast.TypeSpec) []string {
	head := fmt.Sprintf("%s: type %s", pkg, s.Name.Name)
	if s.Assign.IsValid() {
		head += " ="
	}
	var fields *ast.FieldList
	switch t := s.Type.(type) {
	case *ast.StructType:
		head, fields = head+" struct", t.Fields
	case *ast.InterfaceType:
		head, fields = head+" interface", t.Methods
	default:
		return []string{head + " " + node(fset, s.Type)}
	}
	out := []string{head}
	for _, f := range fields.List {
		typ := node(fset, f.Type)
		if len(f.Names) == 0 { // embedded
			if ast.IsExported(strings.TrimPrefix(strings.TrimPrefix(typ, "*"), pkg+".")) || strings.Contains(typ, ".") {
				out = append(out, fmt.Sprintf("%s, embedded %s", head, typ))
			}
			continue
		}
		for _, n := range f.Names {
			if n.IsExported() {
				out = append(out, fmt.Sprintf("%s, %s %s", head, n.Name, strings.TrimPrefix(typ, "func")))
			}
		}
	}
	return out
}

// node prints an AST node on one line, without comments.
func node(fset *token.FileSet, n ast.Node) string {
	var b bytes.Buffer
	_ = (&printer.Config{Mode: printer.RawFormat}).Fprint(&b, fset, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Packages returns the module's public library packages under root: every
// directory with Go files that is not internal, a command, a benchmark, an
// end-to-end suite or testdata, and whose package is not main.
func Packages(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		switch first := strings.Split(filepath.ToSlash(rel), "/")[0]; {
		case strings.HasPrefix(first, ".") && rel != ".", first == "internal", first == "cmd", first == "bench",
			first == "integration", first == "testdata", first == "docs", first == "dist", first == "api", first == "scripts":
			return filepath.SkipDir
		}
		if lib, err := isLibrary(path); err != nil || !lib {
			return err
		}
		dirs = append(dirs, rel)
		return nil
	})
	return dirs, err
}

func isLibrary(dir string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			return false, err
		}
		return pf.Name.Name != "main", nil
	}
	return false, nil
}
