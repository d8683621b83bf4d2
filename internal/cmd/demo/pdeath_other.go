//go:build !linux

package main

// stopWithParent: no parent-death signal outside Linux.
func stopWithParent() {}
