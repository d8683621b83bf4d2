package chain

import (
	"fmt"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// Names of settings that are not Request fields, used in errors' Field.
const (
	fieldKeys      = "Keys"       // AWS_STS_ACCESS_KEY / AWS_STS_ACCESS_SECRET
	fieldCacheMode = "Cache.Mode" // AWS_STS_FILE_MODE
)

// bad returns a *tempcreds.ConfigError about field, given at origin ("" for
// the Request), with the problem in words ({{Field}} and {{value}} are
// filled in by the error's Message).
func bad(field, origin, value, problem string, args ...any) *tempcreds.ConfigError {
	return &tempcreds.ConfigError{Field: field, Origin: origin, Value: value, Problem: fmt.Sprintf(problem, args...)}
}

// originOf is "" when the request gave the value, else the variable.
func originOf(fromRequest bool, variable string) string {
	if fromRequest {
		return ""
	}
	return variable
}

// ruled is a rule's violation as a *tempcreds.ConfigError given at origin
// ("" for the Request); nil for none.
func ruled(v *stsrules.Violation, origin string) error {
	if v == nil {
		return nil
	}
	return &tempcreds.ConfigError{Field: v.Field, Origin: origin, Value: v.Value, Limit: v.Limit, Problem: v.Problem}
}
