//go:build linux && amd64

// Package sys wraps the Linux system calls.
package sys

//go:generate stringer -type=Mode
type Mode int
