package storetest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"

	"broadsheet/internal/store"
)

// Every exported method of store.DB is listed in Store and called by a
// case of the suite, on the store under test (named s, or m.s): a storage
// method added without a case here fails this test.
func TestSuiteCallsEveryMethod(t *testing.T) {
	listed := map[string]bool{}
	st := reflect.TypeFor[Store]()
	for i := range st.NumMethod() {
		listed[st.Method(i).Name] = true
	}
	called := callsOnTheStore(t)
	db := reflect.TypeFor[*store.DB]()
	var missing []string
	for i := range db.NumMethod() {
		name := db.Method(i).Name
		if !listed[name] {
			t.Errorf("store.DB.%s is not listed in storetest.Store", name)
		}
		if !called[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no case of the suite calls %s", strings.Join(missing, ", "))
	}
}

// callsOnTheStore is the names of the methods the suite's files call on
// the store under test.
func callsOnTheStore(t *testing.T) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	called := map[string]bool{}
	files := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		files++
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch x := sel.X.(type) {
			case *ast.Ident:
				if x.Name == "s" {
					called[sel.Sel.Name] = true
				}
			case *ast.SelectorExpr:
				if x.Sel.Name == "s" {
					called[sel.Sel.Name] = true
				}
			}
			return true
		})
	}
	if files < 10 {
		t.Fatalf("read %d files of the suite: the test runs in its package's directory", files)
	}
	return called
}
