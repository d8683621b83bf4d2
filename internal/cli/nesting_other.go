//go:build !linux

package cli

// tempcredsAncestors is not known here: the environment guard alone
// (credprocess.ResolvingEnv) catches credential_process loops.
func tempcredsAncestors() int { return 0 }
