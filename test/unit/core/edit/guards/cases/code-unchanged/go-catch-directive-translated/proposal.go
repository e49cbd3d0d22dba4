//go:build linux && amd64

// Package sys は Linux のシステムコールを包む。
package sys

// go:generate で stringer を実行する（種類は Mode）
type Mode int
