// Package diff compares two texts line by line, for showing what changed
// between two revisions of an article.
package diff

import "strings"

// Kind says whether a line is in both texts, only the old, or only the new.
type Kind byte

const (
	Same    Kind = ' '
	Removed Kind = '-'
	Added   Kind = '+'
)

// Line is one line of a diff.
type Line struct {
	Kind Kind
	Text string
}

// maxCells bounds the work of one diff (lines of a × lines of b); beyond it
// the texts are shown as wholly replaced, which is still correct.
const maxCells = 4_000_000

// Lines returns the shortest edit from a to b as a list of lines, using the
// longest common subsequence of lines.
func Lines(a, b string) []Line {
	x, y := split(a), split(b)
	// Trim the common head and tail: most revisions change a few lines.
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	var out []Line
	for _, l := range x[:head] {
		out = append(out, Line{Same, l})
	}
	mx, my := x[head:len(x)-tail], y[head:len(y)-tail]
	out = append(out, middle(mx, my)...)
	for _, l := range x[len(x)-tail:] {
		out = append(out, Line{Same, l})
	}
	return out
}

func middle(x, y []string) []Line {
	var out []Line
	if len(x)*len(y) > maxCells {
		for _, l := range x {
			out = append(out, Line{Removed, l})
		}
		for _, l := range y {
			out = append(out, Line{Added, l})
		}
		return out
	}
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, Line{Same, x[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, Line{Removed, x[i]})
			i++
		default:
			out = append(out, Line{Added, y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, Line{Removed, x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, Line{Added, y[j]})
	}
	return out
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
